import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../simulators/device.ts';
import { connectGateway, storedMessages } from './helpers/devices.ts';
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

    const pir = storedMessages(t, 'z-pir-1');
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
    const leakEvents = storedMessages(t, 'z-leak-1').filter((m) => m.channel === 'event');
    expect(leakEvents.map((m) => (m.body.event as { name: string }).name)).toEqual(['leak', 'dry']);
    expect(storedMessages(t, 'z-btn-1').find((m) => m.channel === 'event')?.body).toMatchObject({
      event: { name: 'sos' },
    });
    await gw.end();
  });

  it('keeps a message for a friendly name the household has not provisioned as unknown_device', async () => {
    const gw = await connectGateway(t, 'gw-2', {});
    await gw.device('mystery_sensor', { occupancy: true });
    const [entry] = t.hub.ingest.store.listQuarantine({ deviceId: 'gw-2', limit: 5 });
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
    const state = () => t.hub.ingest.presence.list().find((p) => p.clientId === 'gw-3')?.state;
    await until(() => state() === 'online', 3000, 'online');
    await gw.bridgeState('offline', true);
    await until(() => state() === 'offline', 3000, 'offline via JSON');
    await gw.bridgeState('online');
    await until(() => state() === 'online', 3000, 'online via plain string');
    await gw.end();
  });
});
