import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimDevice } from '../simulators/device.ts';
import { SimGateway } from '../simulators/gateway.ts';
import { type Api, apiClient, errorCode } from './helpers/api.ts';
import { messagesOf } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

interface Problem {
  in: string;
  path: string;
  message: string;
  allowedValues?: string[];
}
const problems = (body: unknown) =>
  (body as { error: { details: { problems: Problem[] } } }).error.details.problems;

describe('devices and gateways through the API', () => {
  let t: TestHub;
  let api: Api;
  let token: string;
  const storedHash = async (id: string) => (await t.hub.registry.devices.identity(id))?.secretHash ?? '';

  beforeAll(async () => {
    t = await startTestHub();
    api = apiClient(t.httpUrl);
    token = await t.login();
    for (const id of ['hh-1', 'hh-2']) {
      await api('POST', '/api/households', { token, body: { id, address: `${id} 幸福路`, grid: 'grid-1' } });
    }
    await api('POST', '/api/households/hh-1/residents', { token, body: { id: 'r-1', name: '张秀英' } });
  });
  afterAll(() => t.stop());

  it('answers a new device its secret once; the secret connects the device over MQTT', async () => {
    const created = await api('POST', '/api/devices', {
      token,
      body: { id: 'btn-0001', householdId: 'hh-1', type: 'button', room: 'bedroom', residentId: 'r-1' },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const { device, secret } = created.body as { device: Record<string, unknown>; secret: string };
    expect(device).toEqual({
      id: 'btn-0001',
      householdId: 'hh-1',
      type: 'button',
      room: 'bedroom',
      residentId: 'r-1',
      gatewayId: null,
      friendlyName: null,
      sosActions: null,
      enabled: true,
    });
    expect(secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    // Only the keyed hash is stored, and it verifies the secret.
    expect(await storedHash('btn-0001')).toMatch(/^hmac-sha256\$/);
    expect(await storedHash('btn-0001')).not.toContain(secret);
    expect(t.hub.registry.devices.secrets.verify('btn-0001', secret, await storedHash('btn-0001'))).toBe(
      true,
    );

    for (const path of ['/api/devices/btn-0001', '/api/devices', '/api/households/hh-1']) {
      const read = await api('GET', path, { token });
      expect(read.status).toBe(200);
      expect(read.text).not.toContain(secret);
      expect(read.text).not.toMatch(/secret/i);
    }
    const sim = await new SimDevice({ url: t.mqttUrl, id: 'btn-0001', secret, type: 'button' }).connect();
    await sim.end();
  });

  it('rotates a secret: the new one is answered once and the old one stops working', async () => {
    const created = await api('POST', '/api/devices', {
      token,
      body: { id: 'wb-0001', householdId: 'hh-1', type: 'wristband' },
    });
    const old = (created.body as { secret: string }).secret;
    const rotated = await api('POST', '/api/devices/wb-0001/secret', { token });
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    const fresh = (rotated.body as { id: string; secret: string }).secret;
    expect(fresh).not.toBe(old);
    expect(t.hub.registry.devices.secrets.verify('wb-0001', fresh, await storedHash('wb-0001'))).toBe(true);
    expect(t.hub.registry.devices.secrets.verify('wb-0001', old, await storedHash('wb-0001'))).toBe(false);
  });

  it('registers a gateway with a secret once and Zigbee devices behind it with none', async () => {
    const gw = await api('POST', '/api/gateways', { token, body: { id: 'gw-0001', householdId: 'hh-1' } });
    expect(gw.status).toBe(201);
    const gwSecret = (gw.body as { secret: string }).secret;
    expect(t.hub.registry.devices.secrets.verify('gw-0001', gwSecret, await storedHash('gw-0001'))).toBe(
      true,
    );
    expect((await api('GET', '/api/gateways/gw-0001', { token })).text).not.toContain(gwSecret);

    const zigbee = {
      id: 'z-pir-0003',
      householdId: 'hh-1',
      type: 'motion',
      room: 'kitchen',
      gatewayId: 'gw-0001',
    };
    const unnamed = await api('POST', '/api/devices', { token, body: zigbee });
    expect(unnamed.status).toBe(400);
    expect(problems(unnamed.body)[0]?.path).toBe('/friendlyName');
    const created = await api('POST', '/api/devices', {
      token,
      body: { ...zigbee, friendlyName: 'kitchen_motion' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      secret: null,
      device: { gatewayId: 'gw-0001', friendlyName: 'kitchen_motion' },
    });
    // It never connects itself: no MQTT identity of its own.
    expect(await t.hub.registry.devices.identity('z-pir-0003')).toBeNull();
    const sameName = await api('POST', '/api/devices', {
      token,
      body: { ...zigbee, id: 'z-pir-0004', friendlyName: 'kitchen_motion' },
    });
    expect(sameName.status).toBe(409);
    const otherHousehold = await api('POST', '/api/devices', {
      token,
      body: { ...zigbee, id: 'z-pir-0005', householdId: 'hh-2', friendlyName: 'hall' },
    });
    expect(otherHousehold.status).toBe(400);
    expect(problems(otherHousehold.body)[0]?.path).toBe('/gatewayId');
    // A gateway with devices behind it is not deleted from under them.
    expect((await api('DELETE', '/api/gateways/gw-0001', { token })).status).toBe(409);
  });

  it("keeps a Zigbee button's own SOS actions, editable, and decodes its presses with them", async () => {
    const gw = await api('POST', '/api/gateways', { token, body: { id: 'gw-sos', householdId: 'hh-1' } });
    const button = {
      id: 'z-btn-sos',
      householdId: 'hh-1',
      type: 'button',
      gatewayId: 'gw-sos',
      friendlyName: 'tuya_button',
    };
    const created = await api('POST', '/api/devices', { token, body: { ...button, sosActions: ['double'] } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ device: { sosActions: ['double'] } });

    const sim = await new SimGateway({
      url: t.mqttUrl,
      id: 'gw-sos',
      secret: (gw.body as { secret: string }).secret,
    }).connect();
    const events = async () =>
      (await messagesOf(t, 'z-btn-sos'))
        .filter((m) => m.channel === 'event')
        .map((m) => (m.body.event as { name: string }).name);
    await sim.device('tuya_button', { action: 'single' }); // not in its list: no event
    await sim.device('tuya_button', { action: 'double' });
    expect(await events()).toEqual(['sos']);

    // Back to the default list (single, sos, emergency, press).
    const reset = await api('PUT', '/api/devices/z-btn-sos', { token, body: { sosActions: null } });
    expect(reset.body).toMatchObject({ sosActions: null });
    await sim.device('tuya_button', { action: 'double' });
    await sim.device('tuya_button', { action: 'single' });
    expect(await events()).toEqual(['sos', 'sos']);
    await sim.end();

    const edited = await api('PUT', '/api/devices/z-btn-sos', {
      token,
      body: { sosActions: ['hold', 'sos'] },
    });
    expect(edited.body).toMatchObject({ sosActions: ['hold', 'sos'] });
    // Only a button behind a gateway has them; values are Zigbee2MQTT action words, each once.
    const native = await api('PUT', '/api/devices/btn-0001', { token, body: { sosActions: ['single'] } });
    expect(native.status).toBe(400);
    expect(problems(native.body)[0]?.path).toBe('/sosActions');
    const motion = await api('PUT', '/api/devices/z-btn-sos', { token, body: { type: 'motion' } });
    expect(motion.status).toBe(400);
    expect(problems(motion.body)[0]?.path).toBe('/sosActions');
    for (const bad of [[], ['long press'], ['single', 'single']]) {
      const answer = await api('PUT', '/api/devices/z-btn-sos', { token, body: { sosActions: bad } });
      expect(answer.status).toBe(400);
    }
    expect((await t.hub.registry.devices.get('z-btn-sos'))?.sosActions).toEqual(['hold', 'sos']);
  });

  it('answers 409 for an id already used by a device or a gateway (one MQTT client id space)', async () => {
    const again = await api('POST', '/api/devices', {
      token,
      body: { id: 'btn-0001', householdId: 'hh-2', type: 'button' },
    });
    expect(again.status).toBe(409);
    expect(errorCode(again)).toBe('HUB_ERR_CONFLICT');
    const asGateway = await api('POST', '/api/gateways', {
      token,
      body: { id: 'btn-0001', householdId: 'hh-2' },
    });
    expect(asGateway.status).toBe(409);
    const asDevice = await api('POST', '/api/devices', {
      token,
      body: { id: 'gw-0001', householdId: 'hh-2', type: 'leak' },
    });
    expect(asDevice.status).toBe(409);
    // The first owner's record is untouched.
    expect((await t.hub.registry.devices.get('btn-0001'))?.householdId).toBe('hh-1');
  });

  it('answers 400 naming the field for a bad type, room, id, household, resident or unknown field', async () => {
    const base = { id: 'leak-0001', householdId: 'hh-2', type: 'leak' };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...base, type: 'toaster' }, '/type'],
      [{ ...base, room: 'garage' }, '/room'],
      [{ ...base, id: 'has space' }, '/id'],
      [{ ...base, id: '../etc' }, '/id'],
      [{ ...base, householdId: 'hh-none' }, '/householdId'],
      [{ ...base, residentId: 'r-1' }, '/residentId'],
      [{ ...base, rooom: 'kitchen' }, '/rooom'],
      [{ householdId: 'hh-2', type: 'leak' }, '/id'],
    ];
    for (const [body, path] of cases) {
      const res = await api('POST', '/api/devices', { token, body });
      expect(`${JSON.stringify(body)} ${res.status} ${errorCode(res)}`).toBe(
        `${JSON.stringify(body)} 400 HUB_ERR_VALIDATION`,
      );
      expect(problems(res.body)[0]).toMatchObject({ in: 'body', path });
    }
    const badType = await api('POST', '/api/devices', { token, body: { ...base, type: 'toaster' } });
    expect(problems(badType.body)[0]?.allowedValues).toEqual([
      'button',
      'wristband',
      'motion',
      'leak',
      'water_meter',
    ]);
    expect(await t.hub.registry.devices.get('leak-0001')).toBeNull();
  });

  it('updates a device, and deleting it makes its credentials stop working', async () => {
    const put = await api('PUT', '/api/devices/wb-0001', { token, body: { room: 'living', enabled: false } });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id: 'wb-0001', type: 'wristband', room: 'living', enabled: false });
    expect((await api('DELETE', '/api/devices/wb-0001', { token })).status).toBe(204);
    expect(await t.hub.registry.devices.identity('wb-0001')).toBeNull();
    const gone = await api('GET', '/api/devices/wb-0001', { token });
    expect(gone.status).toBe(404);
    expect(errorCode(gone)).toBe('HUB_ERR_DEVICE_UNKNOWN');
  });

  it('refuses to delete a household that still has devices, then deletes it once they are gone', async () => {
    await api('POST', '/api/devices', {
      token,
      body: { id: 'wm-0002', householdId: 'hh-2', type: 'water_meter' },
    });
    const refused = await api('DELETE', '/api/households/hh-2', { token });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: { code: 'HUB_ERR_CONFLICT', details: { devices: 1, gateways: 0 } },
    });
    expect((await api('DELETE', '/api/devices/wm-0002', { token })).status).toBe(204);
    expect((await api('DELETE', '/api/households/hh-2', { token })).status).toBe(204);
    expect((await api('GET', '/api/households/hh-2', { token })).status).toBe(404);
  });
});
