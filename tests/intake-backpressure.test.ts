import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { topics } from '../kernel/contract.ts';
import { until } from '../simulators/device.ts';
import { connectDevice, messagesOf } from './helpers/devices.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

const BACKLOG = 300;
/** device-protocol.md: bursts of 50, then 5 messages/s */
const BURST = 50;

/** Lets sockets and timers of the real event loop run (the hub's clock is a ManualClock). */
const settle = (ms = 20) => new Promise((r) => setTimeout(r, ms));

describe('over-rate telemetry: delayed, never acknowledged and then dropped', () => {
  let h: IncidentsHub;
  afterEach(() => h.t.stop());

  it('stores every acknowledged message of a 300-message QoS 1 flood exactly once, while another device’s SOS opens its incident at once', async () => {
    const clock = new ManualClock(Date.parse('2026-11-28T01:00:00Z'));
    h = await startIncidentsHub(clock);
    const band = await connectDevice(h.t, 'wb-backlog', 'wristband');
    const button = await h.button('btn-meanwhile');

    let acked = 0;
    const topic = topics.device(band.id, 'telemetry');
    // As fast as MQTT.js allows: every PUBLISH written at once, none waiting for its PUBACK.
    const flood = Promise.all(
      Array.from({ length: BACKLOG }, (_, seq) =>
        band.client
          .publishAsync(topic, JSON.stringify({ seq, heartRate: 70 + (seq % 5) }), { qos: 1 })
          .then(() => {
            acked++;
          }),
      ),
    );
    await until(() => acked >= BURST, 3000, 'the burst acknowledged');
    await settle(100);
    // On the hub's clock no time has passed: the burst is in, the rest waits unread, nothing refused.
    expect(acked).toBe(BURST);
    expect(h.t.hub.metrics.value('hub_ingest_rate_waiting')).toBeGreaterThan(0);

    // Another device's SOS is neither delayed nor refused by the flood next to it.
    // (The hub's clock stands still here: an SOS held behind the flood's allowance would never get
    // through, so these generous wall-time bounds only tell "at once" from "never".)
    await button.sos();
    await until(() => h.opened.length === 1, 3000, 'the SOS incident');
    expect(h.opened[0]?.incident.alarmType).toBe('sos');
    expect(acked).toBe(BURST); // and the flood is still held back meanwhile

    // The allowance refills at 5/s of hub time: 250 more messages need 50 s of it.
    for (let i = 0; i < 120 && acked < BACKLOG; i++) {
      clock.advance(1000);
      await settle();
    }
    await flood;
    expect(acked).toBe(BACKLOG);

    const seqs = (await messagesOf(h.t, band.id)).filter((m) => m.channel === 'telemetry').map((m) => m.seq);
    expect(seqs).toHaveLength(BACKLOG);
    expect(new Set(seqs).size).toBe(BACKLOG);
    expect(band.errors.filter((e) => e.code === 'rate_limited')).toEqual([]);
    const quarantined = await h.t.hub.ingest.store.listQuarantine({ deviceId: band.id, limit: 10 });
    expect(quarantined).toEqual([]);
    expect(h.t.hub.metrics.value('hub_ingest_rate_delayed_total')).toBe(BACKLOG - BURST);
    expect(band.client.connected).toBe(true);
    await band.end();
    await button.end();
  });

  it('refuses over-rate QoS 0 telemetry with rate_limited, and flags a device that keeps flooding', async () => {
    const clock = new ManualClock(Date.parse('2026-11-28T01:00:00Z'));
    h = await startIncidentsHub(clock);
    const flagged: string[] = [];
    h.t.hub.bus.on('deviceFaulty', 'test', (e) => {
      flagged.push(e.deviceId);
    });
    const band = await connectDevice(h.t, 'wb-qos0', 'wristband');
    for (let i = 0; i < 80; i++) await band.telemetry({ heartRate: 70 }, 0);
    await until(
      () => h.t.hub.metrics.value('hub_ingest_rejected_total', { code: 'rate_limited' }) === 80 - BURST,
      3000,
      '30 refusals',
    );
    await until(() => band.errors.length > 0, 3000, 'an error answer');
    expect(band.errors[0]?.code).toBe('rate_limited');
    const stored = async () =>
      (await messagesOf(h.t, band.id)).filter((m) => m.channel === 'telemetry').length;
    await until(async () => (await stored()) === BURST, 3000, 'the burst stored');
    await band.end();

    // A device flooding QoS 1 telemetry for minutes is slowed, and flagged to operators as faulty.
    const flooder = await connectDevice(h.t, 'wb-flooder', 'wristband');
    const topic = topics.device(flooder.id, 'telemetry');
    let acked = 0;
    const total = 2_100;
    const flood = Promise.all(
      Array.from({ length: total }, (_, seq) =>
        flooder.client.publishAsync(topic, JSON.stringify({ seq, steps: seq }), { qos: 1 }).then(() => {
          acked++;
        }),
      ),
    );
    for (let i = 0; i < 1000 && acked < total; i++) {
      clock.advance(1000);
      await settle(5);
    }
    await flood;
    await until(() => flagged.includes(flooder.id), 3000, 'faulty flag');
    const faults = (await h.t.hub.ingest.store.faults()).find((f) => f.deviceId === flooder.id);
    expect(faults).toMatchObject({ lastCode: 'telemetry_flood' });
    expect(flooder.client.connected).toBe(true);
    expect(flooder.errors).toEqual([]);
    await flooder.end();
  });
});
