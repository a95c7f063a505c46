import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.ts';

describe('MQTT over WebSocket at /mqtt: browser origins', () => {
  let t: TestHub | null = null;
  afterEach(async () => {
    await t?.stop();
    t = null;
  });

  /** Resolves 'connected' or 'refused' (an error or a close before CONNACK), within 5 s. */
  const attempt = (hub: TestHub, id: string, secret: string, origin?: string) =>
    new Promise<'connected' | 'refused'>((resolve) => {
      const client = mqtt.connect(hub.wsUrl, {
        clientId: id,
        username: id,
        password: secret,
        reconnectPeriod: 0,
        connectTimeout: 3_000,
        ...(origin ? { wsOptions: { origin } } : {}),
      });
      const done = (how: 'connected' | 'refused') => {
        client.removeAllListeners();
        client.on('error', () => {});
        client.end(true);
        resolve(how);
      };
      client.once('connect', () => done('connected'));
      client.once('error', () => done('refused'));
      client.once('close', () => done('refused'));
    });

  it('refuses a page of another origin, and takes devices (no Origin), the hub’s own pages and configured origins', async () => {
    t = await startTestHub({ mqttWsAllowedOrigins: 'https://gateway-ui.example' });
    const hub = t;
    const secret = await hub.provisionDevice({ id: 'gw-ws-1', type: 'motion' });
    expect(await attempt(hub, 'gw-ws-1', secret, 'http://127.0.0.1:1')).toBe('refused');
    expect(await attempt(hub, 'gw-ws-1', secret, 'https://evil.example')).toBe('refused');
    for (const origin of [undefined, hub.httpUrl, 'https://gateway-ui.example'])
      expect(await attempt(hub, 'gw-ws-1', secret, origin)).toBe('connected');
  });
});
