import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubEvents } from '../kernel/bus.ts';
import { ManualClock } from '../kernel/clock.ts';
import { until } from '../simulators/device.ts';
import { apiClient } from './helpers/api.ts';
import { connectGateway, messagesOf } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

describe('Zigbee2MQTT gateway intake', () => {
  let t: TestHub;
  beforeEach(async () => {
    t = await startTestHub();
  });
  afterEach(() => t.stop());

  it('maps occupancy, water_leak, action and battery fields to the provisioned devices', async () => {
    const gw = await connectGateway(t, 'gw-1', {
      kitchen_motion: { id: 'z-pir-1', type: 'motion', room: 'kitchen' },
      sink_leak: { id: 'z-leak-1', type: 'leak', room: 'kitchen' },
      call_button: { id: 'z-btn-1', type: 'button' },
    });
    await gw.device('kitchen_motion', { occupancy: true, battery: 88, linkquality: 120 });
    await gw.device('sink_leak', { water_leak: true, battery_low: false, tamper: false });
    await gw.device('sink_leak', { water_leak: false });
    await gw.device('call_button', { action: 'single' });

    const pir = await messagesOf(t, 'z-pir-1');
    expect(pir.find((m) => m.channel === 'event')?.body).toMatchObject({
      event: { name: 'motion' },
      room: 'kitchen',
      source: 'zigbee',
      gatewayId: 'gw-1',
      friendlyName: 'kitchen_motion',
    });
    expect(pir.find((m) => m.channel === 'telemetry')?.body).toMatchObject({
      readings: { battery: 88, linkquality: 120 },
    });
    const leakEvents = (await messagesOf(t, 'z-leak-1')).filter((m) => m.channel === 'event');
    expect(leakEvents.map((m) => (m.body.event as { name: string }).name)).toEqual(['leak', 'dry']);
    expect((await messagesOf(t, 'z-btn-1')).find((m) => m.channel === 'event')?.body).toMatchObject({
      event: { name: 'sos' },
    });
    await gw.end();
  });

  it('keeps a message for a friendly name the household has not provisioned as unknown_device', async () => {
    const gw = await connectGateway(t, 'gw-2', {});
    await gw.device('mystery_sensor', { occupancy: true });
    const [entry] = await t.hub.ingest.store.listQuarantine({ deviceId: 'gw-2', limit: 5 });
    expect(entry).toMatchObject({
      clientId: 'gw-2',
      code: 'unknown_device',
      topic: 'eldercare/v1/gw/gw-2/mystery_sensor',
    });
    expect(entry?.detail).toContain('mystery_sensor');
    await gw.end();
  });

  it('takes the gateway availability from bridge/state, both forms', async () => {
    const gw = await connectGateway(t, 'gw-3', {});
    const state = async () => (await t.hub.ingest.presence.list()).find((p) => p.clientId === 'gw-3')?.state;
    await until(async () => (await state()) === 'online', 3000, 'online');
    await gw.bridgeState('offline', true);
    await until(async () => (await state()) === 'offline', 3000, 'offline via JSON');
    await gw.bridgeState('online');
    await until(async () => (await state()) === 'online', 3000, 'online via plain string');
    await gw.end();
  });
});

describe('Zigbee2MQTT per-device availability', () => {
  const MIN = 60_000;
  let t: TestHub;
  afterEach(() => t.stop());

  it('sets the Zigbee device online/offline in the fleet API, plain or JSON, and never holds off its silence', async () => {
    const clock = new ManualClock(Date.parse('2026-11-28T08:00:00Z'));
    t = await startTestHub({}, { clock });
    const silent: Array<HubEvents['deviceSilent']> = [];
    t.hub.bus.on('deviceSilent', 'test', (e) => {
      silent.push(e);
    });
    const gw = await connectGateway(t, 'gw-av', {
      bath_leak: { id: 'z-leak-av', type: 'leak', room: 'bathroom' },
    });
    const api = apiClient(t.httpUrl);
    const token = await t.login();
    const fleetEntry = async () => {
      const fleet = (await api('GET', '/api/fleet', { token })).body as {
        offline: Array<{ clientId: string; state: string; lastSeenAt: number | null }>;
      };
      return fleet.offline.find((e) => e.clientId === 'z-leak-av') ?? null;
    };
    const stateOf = async () =>
      (await t.hub.ingest.presence.list()).find((p) => p.clientId === 'z-leak-av')?.state;
    await gw.device('bath_leak', { water_leak: false, battery: 90 }); // heard at 08:00
    const heardAt = clock.now();

    // Zigbee2MQTT 1.x: the plain string; the device drops off the mesh.
    await clock.advanceAsync(30 * MIN);
    await gw.availability('bath_leak', 'offline');
    await until(async () => (await stateOf()) === 'offline', 3000, 'offline from availability');
    expect(await fleetEntry()).toMatchObject({ state: 'offline', lastSeenAt: heardAt });

    // Zigbee2MQTT 2.x: JSON. Back on the mesh, but availability is not the device speaking.
    await clock.advanceAsync(90 * MIN);
    await gw.availability('bath_leak', 'online', true);
    await until(async () => (await stateOf()) === 'online', 3000, 'online from availability');
    expect(await fleetEntry()).toBeNull();
    expect((await messagesOf(t, 'z-leak-av')).map((m) => m.channel)).toEqual(['event', 'telemetry']);

    // A leak sensor's deadline is 3 × 60 min after its last message, whatever availability said since:
    // availability is retained and replayed on every bridge reconnect, so it must not hold a silence off.
    await clock.advanceAsync(59 * MIN); // 10:59
    expect(silent).toEqual([]);
    await clock.advanceAsync(2 * MIN); // 11:01
    expect(silent.map((e) => [e.deviceId, e.lastSeenAt])).toEqual([['z-leak-av', heardAt]]);
    expect(await fleetEntry()).toMatchObject({ state: 'silent' });

    // An availability for a friendly name nobody provisioned is kept as unknown-device input.
    await gw.availability('stranger', 'online');
    await until(
      async () => (await t.hub.ingest.store.listQuarantine({ deviceId: 'gw-av', limit: 5 })).length === 1,
      3000,
      'quarantined',
    );
    expect((await t.hub.ingest.store.listQuarantine({ deviceId: 'gw-av', limit: 5 }))[0]).toMatchObject({
      code: 'unknown_device',
      topic: 'eldercare/v1/gw/gw-av/stranger/availability',
    });
    await gw.end();
  });
});
