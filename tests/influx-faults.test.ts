/**
 * The writer's failure policy against a stub InfluxDB: a real server cannot be made to answer 503 or
 * 429 with a Retry-After, or 413, on demand, and a stub can name exactly which line it refuses. The
 * real influxd's own refusal (field type conflict) and outage are in influx-writer.test.ts.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CanonicalMessage } from '../ingest/canonical.ts';
import { createInfluxWriter, type InfluxWriter } from '../ingest/influx-writer.ts';
import { createSqliteIngestStore } from '../ingest/store/sqlite-store.ts';
import { EventBus, type HubEvents } from '../kernel/bus.ts';
import { ManualClock } from '../kernel/clock.ts';
import { loadConfig } from '../kernel/config.ts';
import { type Db, openDatabase } from '../kernel/db.ts';
import { asDeviceId, asHouseholdId } from '../kernel/ids.ts';
import { createLogger } from '../kernel/logger.ts';
import { Metrics } from '../kernel/metrics.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';
import { until } from '../simulators/device.ts';

interface StubRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  lines: string[];
}
type Answer = { status: number; headers?: Record<string, string>; body?: string };

/** A stub InfluxDB: answers /ping with `version`, and each write with `answer(request)`. */
async function stubInflux(answer: (r: StubRequest) => Answer, version = '1.6.7~rc0') {
  const writes: StubRequest[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      const r = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        lines: body ? body.split('\n') : [],
      };
      if (r.path === '/ping') {
        res.writeHead(204, { 'X-Influxdb-Version': version }).end();
        return;
      }
      writes.push(r);
      const a = answer(r);
      res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers }).end(a.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, writes, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const accepted = (_r: StubRequest): Answer => ({ status: 204 });
const msgIdOf = (line: string) => Number(/msg_id=(\d+)i/.exec(line)?.[1]);

describe('InfluxDB writer failure policy', () => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  /** A writer on a temp store with `count` queued messages, a manual clock and a captured log. */
  async function setup(overrides: Record<string, unknown>, count = 10) {
    const dir = mkdtempSync(join(tmpdir(), 'influx-faults-'));
    const db: Db = openDatabase(dir, HUB_MIGRATIONS);
    const clock = new ManualClock();
    const logLines: Array<Record<string, unknown>> = [];
    const log = createLogger('info', {
      write: (line: string) => {
        logLines.push(JSON.parse(line) as Record<string, unknown>);
      },
    });
    const metrics = new Metrics();
    const bus = new EventBus(log);
    const config = loadConfig({
      env: {},
      overrides: { dataDir: dir, influxLingerMs: 0, influxDatabase: 'care', ...overrides },
    });
    const stores = createSqliteIngestStore(db);
    for (let i = 0; i < count; i++) await stores.intake.insertMessage(telemetry(clock.now(), i), 1, null);
    // random 0.5: the jitter lands in the middle of its range, so delays are exact.
    const writer: InfluxWriter = createInfluxWriter({
      outbox: stores.outbox,
      config,
      clock,
      log,
      metrics,
      bus,
      random: () => 0.5,
    });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => db.close());
    cleanups.push(() => writer.stop());
    await writer.start();
    const depth = () => stores.outbox.depth();
    return { stores, clock, writer, metrics, bus, logLines, depth };
  }

  function telemetry(at: number, i: number): CanonicalMessage {
    return {
      deviceId: asDeviceId('wb-1'),
      householdId: asHouseholdId('hh-1'),
      deviceType: 'wristband',
      room: 'bedroom',
      channel: 'telemetry',
      event: null,
      readings: { heartRate: 60 + i },
      status: null,
      deviceTime: null,
      receivedAt: at,
      seq: null,
      source: 'native',
      gatewayId: null,
      friendlyName: null,
    };
  }

  it('honours Retry-After in seconds on the injected clock (429: 30 s, 503: 2 s)', async () => {
    const answers: Answer[] = [
      { status: 429, headers: { 'Retry-After': '30' }, body: '{"error":"too many requests"}' },
      { status: 503, headers: { 'Retry-After': '2' }, body: '{"error":"overloaded"}' },
    ];
    const stub = await stubInflux((r) => answers.shift() ?? accepted(r));
    cleanups.push(stub.close);
    const { clock, writer, metrics, depth } = await setup({ influxUrl: stub.url });

    await until(() => writer.status().state === 'waiting', 3000, 'first refusal');
    expect(writer.status().retryAt).toBe(clock.now() + 30_000); // seconds, not the library's ms
    clock.advance(29_999);
    await new Promise((r) => setTimeout(r, 100));
    expect(stub.writes).toHaveLength(1);
    clock.advance(1);
    await until(() => stub.writes.length === 2 && writer.status().state === 'waiting', 3000, '503');
    expect(writer.status().retryAt).toBe(clock.now() + 2000);
    expect(writer.status().lastError).toBe('overloaded');
    clock.advance(1999);
    await new Promise((r) => setTimeout(r, 100));
    expect(stub.writes).toHaveLength(2);
    clock.advance(1);
    await until(async () => (await depth()) === 0, 3000, 'written after the wait');

    expect(stub.writes).toHaveLength(3);
    expect(stub.writes.every((w) => w.lines.length === 10)).toBe(true); // the same batch each time
    expect(metrics.value('hub_influx_write_retries_total')).toBe(2);
    expect(metrics.value('hub_influx_lines_written_total')).toBe(10);
    expect(metrics.value('hub_influx_write_seconds')).toBe(1); // one successful write observed
  });

  it('backs off exponentially with jitter on errors without Retry-After, and resumes', async () => {
    const answers: Answer[] = [
      { status: 500, body: '{"error":"timeout"}' },
      { status: 502, body: 'bad gateway' },
      { status: 500, body: '{"error":"timeout"}' },
    ];
    const stub = await stubInflux((r) => answers.shift() ?? accepted(r));
    cleanups.push(stub.close);
    const { clock, writer, depth, logLines } = await setup({ influxUrl: stub.url, influxRetryMaxMs: 1500 });
    // base 500 ms doubling, capped at 1500; equal jitter with random 0.5 = 3/4 of the step.
    for (const [n, delay] of [
      [1, 375],
      [2, 750],
      [3, 1125],
    ] as const) {
      await until(
        () => stub.writes.length === n && writer.status().state === 'waiting',
        3000,
        `failure ${n}`,
      );
      expect(writer.status().retryAt).toBe(clock.now() + delay);
      clock.advance(delay);
    }
    await until(async () => (await depth()) === 0, 3000, 'drained');
    expect(logLines.some((l) => l.msg === 'InfluxDB writes resumed; draining the outbox')).toBe(true);
  });

  it('keeps retrying while nothing answers, and stops promptly', async () => {
    const stub = await stubInflux(accepted);
    const url = stub.url;
    await stub.close(); // nobody listens on this port any more
    const { writer, depth } = await setup({ influxUrl: url, influxApi: 'v1' });
    await until(() => writer.status().state === 'waiting', 3000, 'network error');
    expect(writer.status().lastError).toMatch(/ECONNREFUSED/);
    expect(await depth()).toBe(10);
    await writer.stop(); // waiting on a clock that never moves: stop must not hang
    expect(writer.status().state).toBe('stopped');
    expect(await depth()).toBe(10);
  });

  it('splits a batch InfluxDB finds too large (413) and writes every line once, in order', async () => {
    const stub = await stubInflux((r) =>
      r.lines.length > 3 ? { status: 413, body: '{"error":"Request Entity Too Large"}' } : { status: 204 },
    );
    cleanups.push(stub.close);
    const { depth, metrics } = await setup({ influxUrl: stub.url }, 10);
    await until(async () => (await depth()) === 0, 3000, 'drained');
    const written = stub.writes.filter((w) => w.lines.length <= 3).flatMap((w) => w.lines.map(msgIdOf));
    expect(written).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(stub.writes[0]?.lines).toHaveLength(10); // refused whole, then in halves
    expect(metrics.value('hub_influx_dead_letter_lines_total')).toBe(0);
  });

  it('bisects a refused batch (400): good lines written, the bad one dead-lettered with the message', async () => {
    const refusal = (line: string) => `unable to parse '${line}': invalid number`;
    const stub = await stubInflux((r) => {
      const bad = r.lines.find((l) => msgIdOf(l) === 7);
      return bad ? { status: 400, body: JSON.stringify({ error: refusal(bad) }) } : { status: 204 };
    });
    cleanups.push(stub.close);
    const { depth, metrics, stores } = await setup({ influxUrl: stub.url }, 10);
    await until(async () => (await depth()) === 0, 3000, 'drained');

    const written = stub.writes.filter((w) => !w.lines.some((l) => msgIdOf(l) === 7));
    expect(written.flatMap((w) => w.lines.map(msgIdOf))).toEqual([1, 2, 3, 4, 5, 6, 8, 9, 10]);
    const [entry, ...more] = await stores.outbox.deadLetters({ limit: 10 });
    expect(more).toHaveLength(0);
    expect(entry).toMatchObject({ messageId: 7, deviceId: 'wb-1', householdId: 'hh-1', status: 400 });
    expect(entry?.error).toBe(refusal(entry?.line ?? ''));
    expect(entry?.line).toMatch(/^telemetry,device=wb-1,household=hh-1,room=bedroom,type=wristband /);
    expect(metrics.value('hub_influx_dead_letter_lines_total')).toBe(1);
    expect(metrics.value('hub_influx_dead_letter_entries')).toBe(1);
    expect(metrics.value('hub_influx_lines_written_total')).toBe(9);
  });

  it('uses /api/v2/write from 1.8 on and /write before, from the /ping version', async () => {
    const v18 = await stubInflux(accepted, '1.8.10');
    const v16 = await stubInflux(accepted, '1.6.7~rc0');
    cleanups.push(v18.close, v16.close);
    const a = await setup({ influxUrl: v18.url, influxToken: 'tok' }, 1);
    const b = await setup({ influxUrl: v16.url, influxToken: 'user:pass' }, 1);
    await until(async () => (await a.depth()) === 0 && (await b.depth()) === 0, 3000, 'both written');
    expect(v18.writes[0]?.path).toBe('/api/v2/write?bucket=care&precision=ns');
    expect(v18.writes[0]?.headers.authorization).toBe('Token tok');
    expect(v16.writes[0]?.path).toBe('/write?db=care&precision=ns');
    expect(v16.writes[0]?.headers.authorization).toBe(`Basic ${Buffer.from('user:pass').toString('base64')}`);
    expect(a.writer.status().api).toBe('v2');
    expect(b.writer.status().api).toBe('v1');
  });

  it('holds the outbox against InfluxDB 2.x until an organisation is configured', async () => {
    const v2 = await stubInflux(accepted, 'v2.7.4');
    cleanups.push(v2.close);
    const { writer, depth } = await setup({ influxUrl: v2.url }, 3);
    await until(() => writer.status().state === 'waiting', 3000, 'refused to write');
    expect(writer.status().lastError).toMatch(/influxOrg/);
    expect(v2.writes).toHaveLength(0);
    expect(await depth()).toBe(3);
  });

  it('without InfluxDB keeps the outbox, reports its age and warns above the high-water mark', async () => {
    const { clock, metrics, bus, logLines, depth, stores, writer } = await setup(
      { influxOutboxMaxRows: 12 },
      10,
    );
    const alerts: Array<HubEvents['outboxHighWater']> = [];
    bus.on('outboxHighWater', 'test', (e) => {
      alerts.push(e);
    });
    expect(writer.status().configured).toBe(false);
    clock.advance(90_000);
    expect(await depth()).toBe(10);
    expect(metrics.value('hub_influx_outbox_oldest_age_seconds')).toBe(90);
    expect(metrics.value('hub_influx_outbox_above_high_water')).toBe(0);

    for (let i = 0; i < 3; i++) await stores.intake.insertMessage(telemetry(clock.now(), i), 1, null);
    clock.advance(5000); // the next depth check (it asks the store: the gauge follows once it answered)
    await until(() => metrics.value('hub_influx_outbox_above_high_water') === 1, 3000, 'above high water');
    expect(alerts).toEqual([{ above: true, depth: 13, limit: 12, at: clock.now() }]);
    const warning = logLines.find((l) => String(l.msg).includes('high-water'));
    expect(warning).toMatchObject({ level: 40, depth: 13, limit: 12 });
  });
});
