import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envName, loadConfig } from '../kernel/config.ts';

describe('configuration', () => {
  it('uses the embedded defaults a newcomer expects', () => {
    const config = loadConfig({ env: {} });
    expect(config).toMatchObject({
      mqttPort: 1883,
      httpPort: 8080,
      dataDir: './data',
      influxDatabase: 'eldercare',
    });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('maps every key to a HUB_ environment variable', () => {
    expect(envName('mqttPort')).toBe('HUB_MQTT_PORT');
    expect(envName('mqttTlsCert')).toBe('HUB_MQTT_TLS_CERT');
    const config = loadConfig({
      env: {
        HUB_MQTT_PORT: '1999',
        HUB_HTTP_PORT: '8099',
        HUB_DATA_DIR: '/tmp/x',
        HUB_ADMIN_PASSWORD: 'longenough',
        HUB_INFLUX_URL: 'http://127.0.0.1:8086',
        HUB_INFLUX_DATABASE: 'db1',
        HUB_INFLUX_TOKEN: 'tok',
        HUB_MQTTS_PORT: '8884',
      },
    });
    expect(config).toMatchObject({
      mqttPort: 1999,
      httpPort: 8099,
      dataDir: '/tmp/x',
      adminPassword: 'longenough',
      influxUrl: 'http://127.0.0.1:8086',
      influxDatabase: 'db1',
      influxToken: 'tok',
      mqttsPort: 8884,
    });
  });

  it('reads a file, and the environment wins over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const file = join(dir, 'hub.json');
    writeFileSync(file, JSON.stringify({ mqttPort: 2883, httpPort: 9090 }));
    const config = loadConfig({ env: { HUB_CONFIG: file, HUB_HTTP_PORT: '9191' } });
    expect(config.mqttPort).toBe(2883);
    expect(config.httpPort).toBe(9191);
  });

  it('reports every error with its path and variable', () => {
    let message = '';
    try {
      loadConfig({ env: { HUB_MQTT_PORT: 'eighteen', HUB_HTTP_PORT: '70000', HUB_MQTT_TLS_CERT: '/c.pem' } });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('mqttPort (HUB_MQTT_PORT)');
    expect(message).toContain('httpPort (HUB_HTTP_PORT)');
    expect(message).toContain('HUB_MQTT_TLS_KEY');
  });

  it('refuses unknown keys in a file and a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ mqttPrt: 1 }));
    expect(() => loadConfig({ file: bad })).toThrow(/mqttPrt/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ not json');
    expect(() => loadConfig({ file: broken })).toThrow(/broken\.json/);
  });

  it('takes the log format from HUB_LOG_FORMAT: auto (the default), json or pretty', () => {
    expect(loadConfig({ env: {} }).logFormat).toBe('auto');
    expect(loadConfig({ env: { HUB_LOG_FORMAT: 'pretty' } }).logFormat).toBe('pretty');
    expect(loadConfig({ env: { HUB_LOG_FORMAT: 'json' } }).logFormat).toBe('json');
    expect(() => loadConfig({ env: { HUB_LOG_FORMAT: 'fancy' } })).toThrow('logFormat (HUB_LOG_FORMAT)');
  });
});
