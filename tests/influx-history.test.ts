import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryRange } from '../ingest/influx-history-types.ts';
import { ManualClock } from '../kernel/clock.ts';
import { until } from '../simulators/device.ts';
import { type Influxd, startInfluxd } from '../simulators/influxd.ts';
import { connectDevice } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

const at = (iso: string) => Date.parse(iso);

/**
 * One household's evening, published by real devices through the real hub into the real influxd; every
 * history question is then answered from InfluxDB and from the local hourly aggregates, alike.
 * The hub's clock is a ManualClock, so the messages land in chosen hours (UTC; households at UTC+8).
 */
describe('history', () => {
  let influx: Influxd;
  let t: TestHub;
  const clock = new ManualClock(at('2026-11-27T15:10:00Z')); // 23:10 in Beijing
  const range: HistoryRange = { from: at('2026-11-27T15:00:00Z'), to: at('2026-11-27T18:00:00Z') };

  beforeAll(async () => {
    influx = await startInfluxd(['history']);
    // Linger 0: the writer needs no timer of the manual clock to send.
    t = await startTestHub(
      { influxUrl: influx.url, influxDatabase: 'history', influxLingerMs: 0, historyUtcOffsetMinutes: 480 },
      { clock },
    );
    const bedroom = await connectDevice(t, 'pir-bed', 'motion', { householdId: 'hh-h', room: 'bedroom' });
    const bathroom = await connectDevice(t, 'pir-bath', 'motion', { householdId: 'hh-h', room: 'bathroom' });
    const meter = await connectDevice(t, 'wm-h', 'water_meter', { householdId: 'hh-h', room: 'kitchen' });
    const band = await connectDevice(t, 'wb-h', 'wristband', { householdId: 'hh-h', room: 'bedroom' });
    const elsewhere = await connectDevice(t, 'pir-o', 'motion', { householdId: 'hh-other', room: 'bedroom' });

    await bedroom.event('motion'); // 15:10
    await bedroom.event('motion');
    await meter.telemetry({ totalLiters: 100 }); // the baseline: no use yet
    clock.advance(30 * 60_000); // 15:40
    await meter.telemetry({ totalLiters: 103.5 }); // 3.5 l on Nov 27 (Beijing)
    clock.advance(40 * 60_000); // 16:20 = 00:20 on Nov 28 in Beijing
    await bathroom.event('motion');
    await bedroom.event('motion');
    await elsewhere.event('motion'); // another household: never in hh-h's answers
    await meter.telemetry({ totalLiters: 110 }); // 6.5 l on Nov 28
    await band.telemetry({ heartRate: 70, spo2: 97, battery: 80 });
    clock.advance(30 * 60_000); // 16:50
    await band.telemetry({ heartRate: 80, spo2: 95 });
    clock.advance(15 * 60_000); // 17:05
    await band.telemetry({ battery: 78 });
    await bedroom.telemetry({ battery: 55 });
    for (const d of [bedroom, bathroom, meter, band, elsewhere]) await d.end();
    await until(async () => (await t.hub.ingest.queries.outboxDepth()) === 0, 5000, 'everything in InfluxDB');
  });
  afterAll(async () => {
    await t?.stop();
    await influx?.destroy();
  });

  /** Asks the hub's history (InfluxDB) and its local aggregates; both must answer `expected`. */
  async function bothAnswer<T>(
    ask: (h: TestHub['hub']['history'] | TestHub['hub']['history']['local']) => Promise<unknown>,
    expected: T,
  ) {
    expect(await ask(t.hub.history)).toEqual({ source: 'influx', rows: expected });
    expect(await ask(t.hub.history.local)).toEqual(expected);
  }

  it('gives the activity timeline: motion per room and hour', async () => {
    await bothAnswer(
      (h) => h.activity('hh-h', range),
      [
        { hour: at('2026-11-27T15:00:00Z'), room: 'bedroom', motions: 2 },
        { hour: at('2026-11-27T16:00:00Z'), room: 'bathroom', motions: 1 },
        { hour: at('2026-11-27T16:00:00Z'), room: 'bedroom', motions: 1 },
      ],
    );
  });

  it('gives water use per hour and per local day', async () => {
    await bothAnswer(
      (h) => h.waterUse('hh-h', range, 'hour'),
      [
        { start: at('2026-11-27T15:00:00Z'), liters: 3.5 },
        { start: at('2026-11-27T16:00:00Z'), liters: 6.5 },
      ],
    );
    // Days start at midnight in Beijing (16:00 UTC).
    await bothAnswer(
      (h) => h.waterUse('hh-h', range, 'day'),
      [
        { start: at('2026-11-26T16:00:00Z'), liters: 3.5 },
        { start: at('2026-11-27T16:00:00Z'), liters: 6.5 },
      ],
    );
  });

  it('gives heart rate and SpO2 per hour, battery levels and last-seen times', async () => {
    await bothAnswer(
      (h) => h.vitals('hh-h', 'wb-h', range),
      [
        {
          hour: at('2026-11-27T16:00:00Z'),
          heartRate: { mean: 75, min: 70, max: 80 },
          spo2: { mean: 96, min: 95, max: 97 },
        },
      ],
    );
    // Another household's device is not found through hh-h.
    await bothAnswer((h) => h.vitals('hh-other', 'wb-h', range), []);
    await bothAnswer(
      (h) => h.battery('hh-h', range),
      [
        { deviceId: 'pir-bed', battery: 55, at: at('2026-11-27T17:05:00Z') },
        { deviceId: 'wb-h', battery: 78, at: at('2026-11-27T17:05:00Z') },
      ],
    );
    await bothAnswer(
      (h) => h.lastSeen('hh-h', range),
      [
        { deviceId: 'pir-bath', at: at('2026-11-27T16:20:00Z') },
        { deviceId: 'pir-bed', at: at('2026-11-27T17:05:00Z') },
        { deviceId: 'wb-h', at: at('2026-11-27T17:05:00Z') },
        { deviceId: 'wm-h', at: at('2026-11-27T16:20:00Z') },
      ],
    );
  });

  it('answers from the local aggregates while InfluxDB is down', async () => {
    await influx.stop();
    try {
      expect(await t.hub.history.activity('hh-h', range)).toEqual({
        source: 'local',
        rows: await t.hub.history.local.activity('hh-h', range),
      });
      expect((await t.hub.history.waterUse('hh-h', range, 'day')).rows).toHaveLength(2);
    } finally {
      await influx.start();
    }
  });
});

describe('history without InfluxDB', () => {
  it('answers from the local aggregates, counting each message once across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-history-'));
    const clock = new ManualClock(at('2026-11-27T02:10:00Z'));
    const range = { from: at('2026-11-27T00:00:00Z'), to: at('2026-11-28T00:00:00Z') };
    try {
      let t = await startTestHub({}, { clock, dataDir });
      let pir = await connectDevice(t, 'pir-l', 'motion', { householdId: 'hh-l', room: 'living' });
      await pir.event('motion');
      await pir.event('motion');
      await pir.end();
      const first = await t.hub.history.activity('hh-l', range);
      expect(first).toEqual({
        source: 'local',
        rows: [{ hour: at('2026-11-27T02:00:00Z'), room: 'living', motions: 2 }],
      });
      await t.stop();

      t = await startTestHub({}, { clock, dataDir });
      pir = await connectDevice(t, 'pir-l', 'motion', { householdId: 'hh-l', room: 'living' });
      await pir.event('motion', { ts: clock.now() }); // seq 0 again: other bytes, so not a retransmission
      await pir.end();
      const second = await t.hub.history.activity('hh-l', range);
      expect(second.rows).toEqual([{ hour: at('2026-11-27T02:00:00Z'), room: 'living', motions: 3 }]);
      await t.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
