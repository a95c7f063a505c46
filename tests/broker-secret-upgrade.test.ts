import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions } from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVICE_SECRET_KEY_FILE } from '../kernel/device-secrets.ts';
import { until } from '../simulators/device.ts';
import { apiClient } from './helpers/api.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

const as = (id: string, password: string): IClientOptions => ({
  clientId: id,
  username: id,
  password,
  reconnectPeriod: 0,
  connectTimeout: 5_000,
});

async function connackCode(url: string, opts: IClientOptions): Promise<number> {
  try {
    const client = await mqtt.connectAsync(url, opts);
    await client.endAsync(true);
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

describe('device secrets: a keyed fast hash, legacy scrypt hashes upgraded at the next connect', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-secret-upgrade-'));
  let t: TestHub | null = null;
  afterEach(async () => {
    await t?.stop();
    t = null;
  });

  const verifications = (hub: TestHub, scheme: string) =>
    hub.hub.metrics.value('hub_mqtt_secret_verifications_total', { scheme, result: 'ok' });
  const storedHash = async (hub: TestHub, id: string) =>
    (await hub.hub.registry.devices.identity(id))?.secretHash ?? '';

  it('connects a device provisioned before the upgrade, upgrades its hash, and a new one without scrypt', async () => {
    t = await startTestHub({}, { dataDir });
    const hub = t;
    const oldSecret = await hub.provisionLegacyDevice({ id: 'btn-old' });
    const newSecret = await hub.provisionDevice({ id: 'btn-new' });
    expect(await storedHash(hub, 'btn-old')).toMatch(/^scrypt\$/);
    expect(await storedHash(hub, 'btn-new')).toMatch(/^hmac-sha256\$/);
    // The key lives beside the store, readable by the hub's user only.
    expect(statSync(join(dataDir, DEVICE_SECRET_KEY_FILE)).mode & 0o777).toBe(0o600);

    // Provisioned after: no scrypt at all.
    expect(await connackCode(hub.mqttUrl, as('btn-new', newSecret))).toBe(0);
    expect(verifications(hub, 'hmac')).toBe(1);
    expect(verifications(hub, 'scrypt')).toBe(0);

    // Provisioned before: still connects (one scrypt), stays connected, and its hash is upgraded.
    const old = await mqtt.connectAsync(hub.mqttUrl, as('btn-old', oldSecret));
    expect(verifications(hub, 'scrypt')).toBe(1);
    await until(
      () => hub.hub.metrics.value('hub_mqtt_secret_upgrades_total') === 1,
      3000,
      'the upgrade written',
    );
    expect(await storedHash(hub, 'btn-old')).toMatch(/^hmac-sha256\$/);
    // an unrelated registry change re-checks live sessions: the upgraded one still stands
    await hub.hub.registry.devices.upsert({
      id: 'btn-old',
      householdId: 'hh-test',
      type: 'button',
      room: 'bedroom',
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(old.connected).toBe(true);
    await old.endAsync();
    expect(await connackCode(hub.mqttUrl, as('btn-old', oldSecret))).toBe(0);
    expect(verifications(hub, 'scrypt')).toBe(1);
    expect(verifications(hub, 'hmac')).toBe(2);
    expect(await connackCode(hub.mqttUrl, as('btn-old', 'not-the-secret'))).toBe(4);
  });

  it('after a restart on the same data directory, verifies without scrypt; a rotated secret locks the old one out at once', async () => {
    t = await startTestHub({}, { dataDir });
    const hub = t;
    const secret = await hub.provisionDevice({ id: 'btn-rot' });
    await hub.stop();
    t = await startTestHub({}, { dataDir });
    const again = t;
    const live = await mqtt.connectAsync(again.mqttUrl, as('btn-rot', secret));
    expect(verifications(again, 'hmac')).toBe(1);
    expect(verifications(again, 'scrypt')).toBe(0);

    const api = apiClient(again.httpUrl);
    const token = await again.login();
    const closed = new Promise<void>((resolve) => live.once('close', () => resolve()));
    const rotated = await api('POST', '/api/devices/btn-rot/secret', { token });
    expect(rotated.status).toBe(200);
    const fresh = (rotated.body as { secret: string }).secret;
    await closed; // the live session on the old secret is cut
    expect(await connackCode(again.mqttUrl, as('btn-rot', secret))).toBe(4);
    expect(await connackCode(again.mqttUrl, as('btn-rot', fresh))).toBe(0);
    await again.stop();
    t = null;
    rmSync(dataDir, { recursive: true, force: true });
  });
});
