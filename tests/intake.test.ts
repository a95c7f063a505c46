import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HubEvents } from '../kernel/bus.ts';
import { until } from '../simulators/device.ts';
import { SimButton, SimLeak, SimMotion, SimWaterMeter, SimWristband } from '../simulators/device-types.ts';
import { connectDevice, messagesOf } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

describe('durable intake', () => {
  let t: TestHub;
  const accepted: Array<HubEvents['messageAccepted']> = [];
  beforeEach(async () => {
    t = await startTestHub();
    accepted.length = 0;
    // Listen the way the rule engine will: through the bus.
    t.hub.bus.on('messageAccepted', 'test', (m) => {
      accepted.push(m);
    });
  });
  afterEach(() => t.stop());

  it('stores an SOS before acknowledging it, canonical and queued for InfluxDB', async () => {
    const button = await connectDevice(t, 'btn-1', 'button', { householdId: 'hh-1' });
    const seq = await button.event('sos', { ts: '2026-11-28T08:00:00Z' });
    // publishAsync resolved: the PUBACK arrived, so the message must already be on disk.
    const rows = (await messagesOf(t, 'btn-1')).filter((m) => m.channel === 'event');
    expect(rows).toHaveLength(1);
    expect(rows[0]?.seq).toBe(seq);
    expect(rows[0]?.body).toMatchObject({
      deviceId: 'btn-1',
      householdId: 'hh-1',
      deviceType: 'button',
      channel: 'event',
      event: { name: 'sos' },
      deviceTime: Date.parse('2026-11-28T08:00:00Z'),
      source: 'native',
    });
    expect(await t.hub.ingest.queries.outboxDepth()).toBeGreaterThanOrEqual(1);
    expect(accepted.some((m) => m.deviceId === 'btn-1' && m.event?.name === 'sos' && m.seq === seq)).toBe(
      true,
    );
    await button.end();
  });

  it('drops a retransmission by (device, seq) and takes a rebooted device seq 0 as new', async () => {
    const band = await connectDevice(t, 'wb-1', 'wristband');
    await band.raw('event', JSON.stringify({ event: 'fall', confidence: 0.9, seq: 7 }));
    await band.raw('event', JSON.stringify({ event: 'fall', confidence: 0.9, seq: 7 })); // no PUBACK seen: sent again
    expect((await messagesOf(t, 'wb-1')).filter((m) => m.channel === 'event')).toHaveLength(1);
    expect(t.hub.metrics.value('hub_ingest_duplicates_total')).toBe(1);

    // After a reboot the seq starts again from 0: different bytes, so new messages, not duplicates.
    await band.raw('event', JSON.stringify({ event: 'sos', seq: 0 }));
    await band.raw('event', JSON.stringify({ event: 'removed', seq: 1 }));
    band.reboot();
    await band.event('sos', { ts: Date.parse('2026-11-28T09:00:00Z') });
    await band.event('worn');
    const events = (await messagesOf(t, 'wb-1')).filter((m) => m.channel === 'event');
    expect(events.map((m) => m.seq)).toEqual([7, 0, 1, 0, 1]);
    await band.end();
  });

  it('keeps QoS 0 telemetry and records presence from status', async () => {
    const pir = await connectDevice(t, 'pir-1', 'motion', { room: 'bathroom' });
    await pir.telemetry({ battery: 90 }, 0);
    await expect
      .poll(async () => (await messagesOf(t, 'pir-1')).some((m) => m.channel === 'telemetry'), {
        timeout: 3000,
        message: 'QoS 0 telemetry stored',
      })
      .toBe(true);
    const telemetry = (await messagesOf(t, 'pir-1')).find((m) => m.channel === 'telemetry');
    expect(telemetry?.body).toMatchObject({ room: 'bathroom', readings: { battery: 90 } });
    const presence = (await t.hub.ingest.presence.list()).find((p) => p.clientId === 'pir-1');
    expect(presence?.state).toBe('online');
    expect(presence?.lastSeenAt).not.toBeNull();
    pir.kill(); // no DISCONNECT: the Last Will says offline
    await until(
      async () =>
        (await t.hub.ingest.presence.list()).find((p) => p.clientId === 'pir-1')?.state === 'offline',
      3000,
      'offline',
    );
  });

  it('records a water-meter register that goes backwards as a meter fault, never as negative use', async () => {
    const meter = await connectDevice(t, 'wm-1', 'water_meter');
    await meter.telemetry({ totalLiters: 1000, flowLpm: 0 });
    await meter.telemetry({ totalLiters: 1012.5, flowLpm: 2 });
    await meter.telemetry({ totalLiters: 3, flowLpm: 0 }); // meter replaced
    await meter.telemetry({ totalLiters: 5, flowLpm: 0 });
    const readings = (await messagesOf(t, 'wm-1'))
      .filter((m) => m.channel === 'telemetry')
      .map((m) => m.body.readings as Record<string, unknown>);
    expect(readings.map((r) => r.usageLiters)).toEqual([undefined, 12.5, undefined, 2]);
    expect(readings[2]?.meterFault).toBe('register_backwards');
    const faults = await t.hub.ingest.queries.meterFaults();
    expect(faults.map(({ previousLiters, reportedLiters }) => ({ previousLiters, reportedLiters }))).toEqual([
      { previousLiters: 1012.5, reportedLiters: 3 },
    ]);
    await meter.end();
  });

  it('accepts everything the five device simulators say, as the protocol says it', async () => {
    const url = t.mqttUrl;
    const secret = async (id: string, type: Parameters<TestHub['provisionDevice']>[0]['type']) =>
      t.provisionDevice({ id, type, room: type === 'motion' ? 'kitchen' : undefined });
    const button = await new SimButton({
      url,
      id: 'sim-btn',
      secret: await secret('sim-btn', 'button'),
    }).connect();
    const band = await new SimWristband({
      url,
      id: 'sim-wb',
      secret: await secret('sim-wb', 'wristband'),
    }).connect();
    const pir = await new SimMotion({
      url,
      id: 'sim-pir',
      secret: await secret('sim-pir', 'motion'),
    }).connect();
    const leak = await new SimLeak({
      url,
      id: 'sim-leak',
      secret: await secret('sim-leak', 'leak'),
    }).connect();
    const meter = await new SimWaterMeter({
      url,
      id: 'sim-wm',
      secret: await secret('sim-wm', 'water_meter'),
      totalLiters: 1000,
    }).connect();
    await Promise.all([button.sos(), button.cancel(), button.heartbeat()]);
    await Promise.all([
      band.fall(0.93),
      band.removed(),
      band.worn(),
      band.vitals({
        heartRate: 72,
        spo2: 97,
        steps: 1234,
        battery: 60,
        lat: 35.41,
        lon: 116.58,
        accuracy: 15,
      }),
    ]);
    await Promise.all([pir.motion(), pir.clear(), pir.heartbeat({ battery: 90, tamper: true })]);
    await Promise.all([leak.leak(), leak.dry(), leak.heartbeat()]);
    await meter.use(0);
    await meter.use(12.5, 6);
    await meter.continuousFlow(180);
    const names = async (id: string) =>
      (await messagesOf(t, id))
        .filter((m) => m.channel === 'event')
        .map((m) => (m.body.event as { name: string }).name);
    expect(await names('sim-btn')).toEqual(['sos', 'cancel']);
    expect(await names('sim-wb')).toEqual(['fall', 'removed', 'worn']);
    expect(await names('sim-pir')).toEqual(['motion', 'clear']);
    expect(await names('sim-leak')).toEqual(['leak', 'dry']);
    expect(await names('sim-wm')).toEqual(['continuous_flow']);
    expect((await messagesOf(t, 'sim-wb')).find((m) => m.channel === 'telemetry')?.body.readings).toEqual({
      heartRate: 72,
      spo2: 97,
      steps: 1234,
      battery: 60,
      lat: 35.41,
      lon: 116.58,
      accuracy: 15,
    });
    expect(await t.hub.ingest.store.listQuarantine({ limit: 10 })).toEqual([]);
    for (const d of [button, band, pir, leak, meter]) await d.end();
  });
});
