import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimGateway } from '../simulators/gateway.ts';
import { AQARA_LEAK, AQARA_MOTION, COORDINATOR, listed, TUYA_SOS_BUTTON } from './fixtures/zigbee2mqtt.ts';
import { type Api, apiClient, userWithToken } from './helpers/api.ts';
import { messagesOf } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

const LEAK_IEEE = '0x00158d0001a2b3c4';
const MOTION_IEEE = '0x00158d0002b3c4d5';
const BUTTON_IEEE = '0xa4c1380001020304';

interface Pending {
  gatewayId: string;
  householdId: string;
  friendlyName: string;
  ieeeAddress: string;
  model: string | null;
  vendor: string | null;
  suggestedType: string | null;
  interview: string | null;
  quarantined: number;
}

describe('pairing: the Zigbee devices a gateway knows and the hub has not provisioned', () => {
  let t: TestHub;
  let api: Api;
  let token: string;
  let gw: SimGateway;

  beforeEach(async () => {
    t = await startTestHub();
    api = apiClient(t.httpUrl);
    token = await t.login();
    await api('POST', '/api/households', {
      token,
      body: { id: 'hh-p', address: '幸福路 9号', grid: 'grid-1' },
    });
    await api('POST', '/api/households/hh-p/residents', { token, body: { id: 'r-p', name: '刘秀兰' } });
    const created = await api('POST', '/api/gateways', { token, body: { id: 'gw-p', householdId: 'hh-p' } });
    gw = await new SimGateway({
      url: t.mqttUrl,
      id: 'gw-p',
      secret: (created.body as { secret: string }).secret,
    }).connect();
    // Provisioned earlier: the kitchen's motion sensor.
    await api('POST', '/api/devices', {
      token,
      body: {
        id: 'z-pir-p',
        householdId: 'hh-p',
        type: 'motion',
        gatewayId: 'gw-p',
        friendlyName: 'kitchen_pir',
      },
    });
  });
  afterEach(async () => {
    await gw.end();
    await t.stop();
  });

  const pending = async (path = '/api/gateways/gw-p/zigbee-devices') => {
    const answer = await api('GET', path, { token });
    expect(answer.status).toBe(200);
    return answer.body as Pending[];
  };

  it('lists what bridge/devices and bridge/event announced, provisions one in one step and resolves its quarantine', async () => {
    // Zigbee2MQTT's retained network: the coordinator, the provisioned motion sensor, a new leak sensor.
    await gw.bridgeDevices([
      COORDINATOR,
      listed(MOTION_IEEE, 'kitchen_pir', AQARA_MOTION),
      listed(LEAK_IEEE, 'bathroom_leak', AQARA_LEAK),
    ]);
    // A button joins (its default friendly name is its IEEE address), then its interview completes.
    await gw.bridgeEvent('device_joined', { friendly_name: BUTTON_IEEE, ieee_address: BUTTON_IEEE });
    await gw.bridgeEvent('device_interview', {
      friendly_name: BUTTON_IEEE,
      ieee_address: BUTTON_IEEE,
      status: 'started',
    });
    expect((await pending()).find((p) => p.ieeeAddress === BUTTON_IEEE)).toMatchObject({
      model: null,
      interview: 'started',
    });
    await gw.bridgeEvent('device_interview', {
      friendly_name: BUTTON_IEEE,
      ieee_address: BUTTON_IEEE,
      status: 'successful',
      supported: true,
      definition: TUYA_SOS_BUTTON,
    });
    // Before anyone provisions it, the button's presses and availability are kept as unknown-device input.
    await gw.device(BUTTON_IEEE, { action: 'emergency', battery: 100 });
    await gw.availability(BUTTON_IEEE, 'online');

    const list = await pending();
    expect(list.map((p) => p.friendlyName)).toEqual([BUTTON_IEEE, 'bathroom_leak']);
    expect(list[0]).toMatchObject({
      gatewayId: 'gw-p',
      householdId: 'hh-p',
      ieeeAddress: BUTTON_IEEE,
      model: 'TS0215A_sos',
      vendor: 'Tuya',
      suggestedType: 'button',
      interview: 'successful',
      quarantined: 2,
    });
    expect(list[1]).toMatchObject({
      model: 'SJCGQ11LM',
      vendor: 'Aqara',
      suggestedType: 'leak',
      quarantined: 0,
    });
    expect((await pending('/api/zigbee-devices')).map((p) => p.ieeeAddress)).toEqual([
      BUTTON_IEEE,
      LEAK_IEEE,
    ]);

    const provisioned = await api('POST', '/api/gateways/gw-p/zigbee-devices/provision', {
      token,
      body: {
        friendlyName: BUTTON_IEEE,
        id: 'z-btn-p',
        type: 'button',
        room: 'bedroom',
        residentId: 'r-p',
        sosActions: ['emergency'],
      },
    });
    expect(provisioned.status).toBe(201);
    expect(provisioned.body).toEqual({
      device: {
        id: 'z-btn-p',
        householdId: 'hh-p',
        type: 'button',
        room: 'bedroom',
        residentId: 'r-p',
        gatewayId: 'gw-p',
        friendlyName: BUTTON_IEEE,
        sosActions: ['emergency'],
        enabled: true,
      },
      resolvedQuarantine: 2,
    });
    expect((await pending()).map((p) => p.friendlyName)).toEqual(['bathroom_leak']);
    const quarantine = (await api('GET', '/api/quarantine?device=gw-p', { token })).body as Array<{
      topic: string;
      resolvedAt: number | null;
      resolution: string | null;
    }>;
    expect(quarantine.map((q) => [q.topic, q.resolution])).toEqual([
      [`eldercare/v1/gw/gw-p/${BUTTON_IEEE}/availability`, 'provisioned as z-btn-p'],
      [`eldercare/v1/gw/gw-p/${BUTTON_IEEE}`, 'provisioned as z-btn-p'],
    ]);
    expect(quarantine.every((q) => typeof q.resolvedAt === 'number')).toBe(true);

    // It works at once: its next press is an SOS.
    await gw.device(BUTTON_IEEE, { action: 'emergency' });
    expect((await messagesOf(t, 'z-btn-p')).map((m) => m.body.event)).toEqual([{ name: 'sos' }]);
  });

  it('forgets a device that left, and one missing from a newer bridge/devices', async () => {
    await gw.bridgeDevices([
      listed(LEAK_IEEE, 'bathroom_leak', AQARA_LEAK),
      listed(BUTTON_IEEE, 'sos_button', TUYA_SOS_BUTTON),
    ]);
    expect((await pending()).map((p) => p.ieeeAddress).sort()).toEqual([LEAK_IEEE, BUTTON_IEEE].sort());
    await gw.bridgeEvent('device_leave', { ieee_address: BUTTON_IEEE, friendly_name: 'sos_button' });
    expect((await pending()).map((p) => p.ieeeAddress)).toEqual([LEAK_IEEE]);
    // Renamed in Zigbee2MQTT: the list comes again with the new name.
    await gw.bridgeDevices([listed(LEAK_IEEE, 'bath/leak', AQARA_LEAK)]);
    expect((await pending()).map((p) => p.friendlyName)).toEqual(['bath/leak']);
    await gw.bridgeDevices([]);
    expect(await pending()).toEqual([]);
    // Unusable bridge messages change nothing and are counted.
    await gw.bridgeDevices([listed(LEAK_IEEE, 'bath/leak', AQARA_LEAK)]);
    await gw.client.publishAsync('eldercare/v1/gw/gw-p/bridge/devices', '{"not":"a list"}', { qos: 1 });
    await gw.client.publishAsync('eldercare/v1/gw/gw-p/bridge/event', 'garbage', { qos: 1 });
    await gw.bridgeEvent('device_announce', { friendly_name: 'bath/leak', ieee_address: LEAK_IEEE });
    expect((await pending()).map((p) => p.friendlyName)).toEqual(['bath/leak']);
    expect(t.hub.metrics.value('hub_zigbee_pairing_updates_total', { kind: 'invalid' })).toBe(2);
    expect(t.hub.metrics.value('hub_zigbee_pairing_updates_total', { kind: 'ignored' })).toBe(1);
  });

  it('refuses what it cannot provision: an unknown name, a taken id, a bad placement; admins only', async () => {
    await gw.bridgeDevices([listed(LEAK_IEEE, 'bathroom_leak', AQARA_LEAK)]);
    const provision = (body: Record<string, unknown>, as = token) =>
      api('POST', '/api/gateways/gw-p/zigbee-devices/provision', { token: as, body });
    expect((await provision({ friendlyName: 'nobody', id: 'z-x', type: 'leak' })).status).toBe(404);
    expect((await provision({ friendlyName: 'bathroom_leak', id: 'z-pir-p', type: 'leak' })).status).toBe(
      409,
    );
    expect((await provision({ friendlyName: 'bathroom_leak', id: 'z-leak-p', type: 'flood' })).status).toBe(
      400,
    );
    expect(
      (
        await provision({
          friendlyName: 'bathroom_leak',
          id: 'z-leak-p',
          type: 'leak',
          residentId: 'r-nobody',
        })
      ).status,
    ).toBe(400);
    expect(
      (
        await provision({
          friendlyName: 'bathroom_leak',
          id: 'z-leak-p',
          type: 'leak',
          sosActions: ['single'],
        })
      ).status,
    ).toBe(400);
    const dispatcher = await userWithToken(t, api, token, { username: 'disp-p', role: 'dispatcher' });
    expect((await api('GET', '/api/zigbee-devices', { token: dispatcher })).status).toBe(403);
    expect(
      (await provision({ friendlyName: 'bathroom_leak', id: 'z-leak-p', type: 'leak' }, dispatcher)).status,
    ).toBe(403);
    expect((await api('GET', '/api/gateways/gw-nobody/zigbee-devices', { token })).status).toBe(404);
    expect(await t.hub.registry.devices.get('z-leak-p')).toBeNull();
    expect((await pending()).map((p) => p.friendlyName)).toEqual(['bathroom_leak']);
  });
});
