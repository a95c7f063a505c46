import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MessageFilter } from '../ingest/queries/types.ts';
import { type Clock, systemClock } from '../kernel/clock.ts';
import { until } from '../simulators/device.ts';
import { type Influxd, startInfluxd } from '../simulators/influxd.ts';
import { apiClient, userWithToken } from './helpers/api.ts';
import { connectDevice } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

/** Everything against Debian's real influxd 1.6.7 (no /api/v2/write: the writer must detect /write). */
describe('InfluxDB writer against a real influxd', () => {
  let influx: Influxd;
  const hubs: TestHub[] = [];
  let dbCount = 0;

  beforeAll(async () => {
    influx = await startInfluxd();
  });
  afterAll(() => influx.destroy());
  afterEach(async () => {
    for (const t of hubs.splice(0)) await t.stop();
    await influx.start(); // a test that stopped it leaves it running for the next
  });

  /** A fresh database per test, and a hub writing into it. */
  async function hubWithInflux(
    overrides: Record<string, unknown> = {},
    opts: { clock?: Clock; dataDir?: string } = {},
  ): Promise<{ t: TestHub; db: string }> {
    dbCount += 1;
    const db = `hub${dbCount}`;
    await influx.query(`CREATE DATABASE "${db}"`);
    const t = await startTestHub(
      { influxUrl: influx.url, influxDatabase: db, influxLingerMs: 20, influxRetryMaxMs: 200, ...overrides },
      opts,
    );
    hubs.push(t);
    return { t, db };
  }

  const outboxDepth = (t: TestHub) => t.hub.ingest.queries.outboxDepth();
  const drained = (t: TestHub, timeoutMs = 5000) =>
    until(async () => (await outboxDepth(t)) === 0, timeoutMs, 'outbox drained into InfluxDB');
  const messageCount = (t: TestHub, filter: MessageFilter = {}) => t.hub.ingest.queries.messageCount(filter);

  it('writes the hub messages with the schema tags, fields and types, in receive time', async () => {
    const { t, db } = await hubWithInflux();
    const band = await connectDevice(t, 'wb-1', 'wristband', { householdId: 'hh-1', room: 'bedroom' });
    const meter = await connectDevice(t, 'wm-1', 'water_meter', { householdId: 'hh-1', room: 'kitchen' });
    const fallSeq = await band.event('fall', { confidence: 0.92, ts: '2026-11-28T08:00:00Z' });
    await band.telemetry({ battery: 80, heartRate: 72, spo2: 97, steps: 1200 });
    await meter.telemetry({ totalLiters: 100 });
    await meter.telemetry({ totalLiters: 103.5 });
    await drained(t);
    await band.end();
    await meter.end();

    expect(await influx.rows('SHOW MEASUREMENTS', db)).toEqual([
      { name: 'event' },
      { name: 'status' },
      { name: 'telemetry' },
    ]);
    // Tags: the four dimensions (+ the event name on events); never a resident's name.
    const tagKeys = async (m: string) =>
      (await influx.rows(`SHOW TAG KEYS FROM ${m}`, db)).map((r) => r.tagKey);
    expect(await tagKeys('event')).toEqual(['device', 'event', 'household', 'room', 'type']);
    expect(await tagKeys('telemetry')).toEqual(['device', 'household', 'room', 'type']);
    const fieldTypes = Object.fromEntries(
      (await influx.rows('SHOW FIELD KEYS FROM telemetry', db)).map((r) => [r.fieldKey, r.fieldType]),
    );
    expect(fieldTypes).toMatchObject({
      msg_id: 'integer',
      battery: 'float',
      heart_rate: 'float',
      spo2: 'float',
      steps: 'float', // integers too: one type for every number
      total_liters: 'float',
      usage_liters: 'float',
    });

    const [stored] = await t.hub.ingest.queries.messages({ deviceId: 'wb-1', channel: 'event' });
    const [fall] = await influx.rows("SELECT * FROM event WHERE device = 'wb-1'", db);
    expect(fall).toEqual({
      time: stored?.receivedAt, // receive time is the point's time (ms; the id sits below the ms)
      household: 'hh-1',
      device: 'wb-1',
      type: 'wristband',
      room: 'bedroom',
      event: 'fall',
      confidence: 0.92,
      seq: fallSeq,
      device_time: Date.parse('2026-11-28T08:00:00Z'), // device time kept as a field
      msg_id: stored?.id,
    });
    const [vitals] = await influx.rows("SELECT * FROM telemetry WHERE device = 'wb-1'", db);
    expect(vitals).toMatchObject({ battery: 80, heart_rate: 72, spo2: 97, steps: 1200, type: 'wristband' });
    const usage = await influx.rows("SELECT usage_liters FROM telemetry WHERE device = 'wm-1'", db);
    expect(usage.map((r) => r.usage_liters).filter((v) => v !== null)).toEqual([3.5]);
    const statuses = await influx.rows("SELECT state FROM status WHERE device = 'wb-1'", db);
    expect(statuses.map((r) => r.state)).toContain('online');

    // Every stored message is one point.
    const points = await influx.rows('SELECT count(msg_id) FROM /.*/', db);
    expect(points.reduce((n, r) => n + Number(r.count), 0)).toBe(await messageCount(t));
    expect(t.hub.metrics.value('hub_influx_lines_written_total')).toBe(await messageCount(t));
    expect(t.hub.influx.status().api).toBe('v1'); // detected from /ping: 1.6.7 has no /api/v2/write
  });

  it('keeps two events of one device received in the same millisecond', async () => {
    // The hub's clock stands still (timers still run), so every message gets the same receive time.
    const frozen: Clock = {
      now: () => Date.parse('2026-11-28T10:00:00.123Z'),
      setTimeout: systemClock.setTimeout,
      clearTimeout: systemClock.clearTimeout,
    };
    const { t, db } = await hubWithInflux({}, { clock: frozen });
    const button = await connectDevice(t, 'btn-1', 'button', { householdId: 'hh-2' });
    await button.event('sos');
    await button.event('sos'); // same device, same event, same millisecond: same series and ms
    await button.event('cancel');
    await drained(t);
    await button.end();

    const stored = await t.hub.ingest.queries.messages({ deviceId: 'btn-1', channel: 'event' });
    expect(new Set(stored.map((m) => m.receivedAt)).size).toBe(1);
    const events = await influx.rows("SELECT event, seq, msg_id FROM event WHERE device = 'btn-1'", db);
    expect(events.map((e) => [e.event, e.seq])).toEqual([
      ['sos', 0],
      ['sos', 1],
      ['cancel', 2],
    ]);
    expect(events.every((e) => e.time === Date.parse('2026-11-28T10:00:00.123Z'))).toBe(true);
  });

  it('keeps everything on disk while InfluxDB is down and drains it once, across a hub restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-influx-'));
    try {
      // One line per request on the first hub, so that it is stopped with a backlog left.
      const first = await hubWithInflux({ influxBatchLines: 1 }, { dataDir });
      const { db } = first;
      let t = first.t;
      let band = await connectDevice(t, 'wb-9', 'wristband', { householdId: 'hh-9' });
      await Promise.all([0, 1, 2, 3, 4].map(() => band.event('worn')));
      await drained(t);

      await influx.stop();
      // The alarm path does not wait: every publish is acknowledged (on disk) with InfluxDB down.
      const publishes: Array<Promise<unknown>> = [];
      for (let i = 0; i < 200; i++) publishes.push(band.event(i % 2 ? 'removed' : 'worn'));
      for (let i = 0; i < 40; i++) publishes.push(band.telemetry({ heartRate: 60 + (i % 30) }));
      await Promise.all(publishes);
      const backlog = await outboxDepth(t);
      expect(backlog).toBeGreaterThanOrEqual(240);
      await until(() => t.hub.influx.status().state === 'waiting', 3000, 'writer retrying');
      expect(t.hub.influx.status().lastError).toMatch(/ECONNREFUSED/);
      expect(t.hub.metrics.value('hub_influx_write_retries_total')).toBeGreaterThan(0);

      // InfluxDB back; the hub is stopped in the middle of draining the backlog and started again.
      await band.end();
      await influx.start();
      await until(async () => (await outboxDepth(t)) < backlog, 5000, 'drain started');
      await t.stop();
      hubs.splice(hubs.indexOf(t), 1);
      t = (await hubWithInflux({ influxDatabase: db }, { dataDir })).t;
      await drained(t);
      expect(t.hub.metrics.value('hub_influx_lines_written_total')).toBeGreaterThan(0); // the rest of it

      const countIn = async (where: string) =>
        Number((await influx.rows(`SELECT count(msg_id) FROM event WHERE ${where}`, db))[0]?.count ?? 0);
      const events = await messageCount(t, { deviceId: 'wb-9', channel: 'event' });
      expect(events).toBe(205);
      expect(await countIn("device = 'wb-9'")).toBe(events);
      const distinctSeq = await influx.rows(
        "SELECT count(distinct(seq)) FROM event WHERE device = 'wb-9'",
        db,
      );
      expect(distinctSeq[0]?.count).toBe(205);
      const vitals = await influx.rows("SELECT count(heart_rate) FROM telemetry WHERE device = 'wb-9'", db);
      expect(vitals[0]?.count).toBe(40);

      // Every answer lost (a crash after InfluxDB wrote, before the outbox row went): all sent again.
      expect(await t.hub.ingest.store.requeueAllForInflux()).toBeGreaterThanOrEqual(events);
      band = await connectDevice(t, 'wb-9', 'wristband', { householdId: 'hh-9' }); // wakes the writer
      await drained(t);
      await band.end();
      expect(await countIn("device = 'wb-9'")).toBe(events); // overwritten, not doubled
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('sets aside the one line the server refuses (field type conflict) with its message', async () => {
    const { t, db } = await hubWithInflux({ influxLingerMs: 300 });
    // Another writer made `battery` an integer in this shard: the hub's float battery is a poison line.
    await influx.writeLines(db, `telemetry,household=hh-x,device=other battery=1i ${Date.now()}000000`);
    const band = await connectDevice(t, 'wb-5', 'wristband', { householdId: 'hh-5' });
    await band.event('worn');
    await band.telemetry({ battery: 80, heartRate: 70 }); // refused
    await band.telemetry({ heartRate: 71 });
    await band.event('removed');
    await drained(t);
    await band.end();

    expect(t.hub.metrics.value('hub_influx_dead_letter_lines_total')).toBe(1);
    const kept = await influx.rows("SELECT heart_rate FROM telemetry WHERE device = 'wb-5'", db);
    expect(kept.map((r) => r.heart_rate)).toEqual([71]);
    const events = await influx.rows("SELECT event, msg_id FROM event WHERE device = 'wb-5'", db);
    expect(events.map((r) => r.event)).toEqual(['worn', 'removed']);

    const api = apiClient(t.httpUrl);
    const admin = await t.login();
    const answer = await api('GET', '/api/dead-letter', { token: admin });
    expect(answer.status).toBe(200);
    const entries = answer.body as Array<Record<string, unknown>>;
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ deviceId: 'wb-5', householdId: 'hh-5', status: 400 });
    expect(String(entries[0]?.error)).toMatch(/field type conflict.*battery/);
    expect(String(entries[0]?.line)).toMatch(/^telemetry,.*battery=80/);
    const dispatcher = await userWithToken(t, api, admin, { username: 'd.one', role: 'dispatcher' });
    expect((await api('GET', '/api/dead-letter', { token: dispatcher })).status).toBe(403);
  });
});
