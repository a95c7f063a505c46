import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import mqtt from 'mqtt';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { connectDevice, messagesOf } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

const DAY = 24 * 60 * 60_000;
const RETRY_MAX_MS = 1000;

/** A stub InfluxDB 1.x: /ping answers; writes are refused (503) until `up` is set. */
async function stubInflux() {
  const stub = { up: false, url: '', close: () => Promise.resolve() };
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/ping') res.writeHead(204, { 'X-Influxdb-Version': '1.6.7~rc0' }).end();
      else res.writeHead(stub.up ? 204 : 503, { 'content-type': 'application/json' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stub.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  stub.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return stub;
}

describe('retention of the embedded store', () => {
  let t: TestHub | null = null;
  let influx: Awaited<ReturnType<typeof stubInflux>> | null = null;
  afterEach(async () => {
    await t?.stop();
    t = null;
    await influx?.close();
    influx = null;
  });

  it('deletes old messages only once InfluxDB and the local history have them, and old audit rows', async () => {
    const clock = new ManualClock(Date.parse('2026-10-01T08:00:00Z'));
    influx = await stubInflux();
    t = await startTestHub(
      {
        messageRetentionDays: 30,
        auditRetentionDays: 180,
        influxUrl: influx.url,
        influxLingerMs: 0,
        influxRetryMaxMs: RETRY_MAX_MS,
      },
      { clock },
    );
    const pir = await connectDevice(t, 'pir-old', 'motion');
    await pir.event('motion');
    await pir.raw('telemetry', 'not json', 1);
    await pir.end();
    // A refused connection: a security event (the broker room's), kept as long as the audit rows.
    await mqtt
      .connectAsync(t.mqttUrl, {
        clientId: 'pir-old',
        username: 'pir-old',
        password: 'wrong',
        reconnectPeriod: 0,
      })
      .then(
        (c) => c.endAsync(true),
        () => undefined,
      );
    const refusals = () => t?.hub.broker.queries.securityEvents({ kind: 'bad_credentials' }) ?? [];
    await expect.poll(async () => (await refusals()).length).toBe(1);
    const stored = (await messagesOf(t, 'pir-old')).length;
    expect(stored).toBeGreaterThan(0);
    const queries = t.hub.ingest.queries;
    // InfluxDB refuses the writes: the writer keeps them in the outbox and waits (on the hub clock).
    await expect.poll(() => t?.hub.influx.status().state).toBe('waiting');

    // Jump (set, not advance): a month of heartbeat sweeps is not what this test is about.
    clock.set(clock.now() + 31 * DAY);
    // Still waiting in the outbox: kept however old.
    expect(await queries.outboxDepth()).toBeGreaterThanOrEqual(stored);
    expect((await t.hub.ingest.retention.run()).messages).toBe(0);
    expect(await messagesOf(t, 'pir-old')).toHaveLength(stored);

    // Written to InfluxDB (its retry succeeds, the outbox drains) and counted into the hourly history
    // (a history question brings the local aggregates up to date): now it may go.
    influx.up = true;
    clock.advance(RETRY_MAX_MS);
    await expect.poll(() => queries.outboxDepth()).toBe(0);
    await t.hub.history.local.activity('hh-test', { from: clock.now() - DAY, to: clock.now() });
    expect((await t.hub.ingest.retention.run()).messages).toBe(stored);
    expect(await messagesOf(t, 'pir-old')).toEqual([]);

    // The quarantine entry is an audit record: kept 180 days.
    expect(await t.hub.ingest.store.listQuarantine({ deviceId: 'pir-old', limit: 5 })).toHaveLength(1);
    clock.set(clock.now() + 150 * DAY);
    const audit = await t.hub.ingest.retention.run();
    expect(audit.quarantine).toBe(1);
    expect(await t.hub.ingest.store.listQuarantine({ deviceId: 'pir-old', limit: 5 })).toEqual([]);
    // … and so is the security event, deleted through the broker room's store.
    expect(audit.securityEvents).toBe(1);
    expect(await refusals()).toEqual([]);
  });
});
