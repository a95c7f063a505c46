import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import mqtt, { type MqttClient } from 'mqtt';
import { systemClock } from '../kernel/clock.ts';
import { topics } from '../kernel/contract.ts';
import { openDatabase } from '../kernel/db.ts';
import { createRegistry } from '../kernel/registry/index.ts';
import { generateSecret } from '../kernel/secrets.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';
import { HUB_MQTT_PORT, startChild } from './child-process.ts';
import { type Influxd, startInfluxd } from './influxd.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '300' },
    rate: { type: 'string', default: '1000' },
    duration: { type: 'string', default: '30' },
    outage: { type: 'string', default: '60' },
  },
});
const clamp = (v: string | undefined, min: number, max: number) => Math.max(min, Math.min(max, Number(v)));
const devices = clamp(values.devices, 1, 5000);
/** total messages/s across all devices */
const rate = clamp(values.rate, 1, 20_000);
const durationS = clamp(values.duration, 5, 300);
const outageS = clamp(values.outage, 1, 300);

const WARMUP_MS = 3_000;
/** ms between InfluxQL COUNT polls */
const POLL_MS = 500;
/** ms between COUNT polls while the backlog drains */
const DRAIN_POLL_MS = 50;
/** ms the load waits for outstanding PUBACKs at the end of a phase */
const ACK_WAIT_MS = 10_000;
/** ms the sustained phase's tail may take to become visible, and the drain at most (plus the outage). */
const CATCH_UP_MS = 60_000;
const DB = 'bench';

const startHub = (env: Record<string, string>) => startChild(['main.ts'], env, HUB_MQTT_PORT);

/** Paced QoS 1 publishing from many connected devices: every 10 ms, the messages due by now. */
class Load {
  readonly #clients: Array<{ id: string; client: MqttClient; seq: number }>;
  #next = 0;
  #timer: NodeJS.Timeout | null = null;
  readonly #pending = new Set<Promise<void>>();
  sent = 0;
  acked = 0;
  errors = 0;

  constructor(clients: Array<{ id: string; client: MqttClient }>) {
    this.#clients = clients.map((c) => ({ ...c, seq: 0 }));
  }

  #publish(): void {
    const c = this.#clients[this.#next++ % this.#clients.length];
    if (!c) return;
    const n = c.seq++;
    const isEvent = n % 2 === 0;
    const body = isEvent ? { event: n % 4 === 0 ? 'motion' : 'clear', seq: n } : { battery: 90 };
    this.sent++;
    const p = c.client
      .publishAsync(topics.device(c.id, isEvent ? 'event' : 'telemetry'), JSON.stringify(body), { qos: 1 })
      .then(
        () => {
          this.acked++;
        },
        () => {
          this.errors++;
        },
      )
      .finally(() => this.#pending.delete(p));
    this.#pending.add(p);
  }

  start(): void {
    const started = performance.now();
    const base = this.sent;
    this.#timer = setInterval(() => {
      const due = base + Math.floor(((performance.now() - started) / 1000) * rate);
      while (this.sent < due) this.#publish();
    }, 10);
  }

  /** Stops publishing and waits (bounded) for the outstanding acknowledgements. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await Promise.race([Promise.all([...this.#pending]), sleep(ACK_WAIT_MS)]);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Points of the load's measurements visible in InfluxDB (InfluxQL COUNT). */
async function visible(influx: Influxd): Promise<number> {
  const rows = await influx.rows('SELECT count(msg_id) FROM event, telemetry', DB);
  return rows.reduce((n, r) => n + Number(r.count ?? 0), 0);
}

/**
 * Polls (every DRAIN_POLL_MS) until `visible` reaches `target` or `timeoutMs` passes. `quietMs`: when the
 * last poll still saw nothing new was answered, so the drain began after it; measuring from there
 * overstates the drain's duration by at most one poll (the drain rate is a lower bound).
 */
async function waitVisible(influx: Influxd, target: number, timeoutMs: number) {
  const start = performance.now();
  const first = await visible(influx);
  let quietMs = 0;
  let now = first;
  while (now < target && performance.now() - start < timeoutMs) {
    await sleep(DRAIN_POLL_MS);
    now = await visible(influx).catch(() => now);
    if (now === first) quietMs = performance.now() - start;
  }
  return { reached: now, elapsedMs: performance.now() - start, quietMs };
}

const influx = await startInfluxd([DB]);
const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-ingest-'));
let hub: Awaited<ReturnType<typeof startHub>> | null = null;
const clients: MqttClient[] = [];
try {
  const ids = Array.from({ length: devices }, (_, i) => `bench-${i}`);
  const db = openDatabase(dataDir, HUB_MIGRATIONS);
  const registry = createRegistry(db, systemClock);
  const secret = generateSecret();
  await registry.transaction(async () => {
    await registry.households.upsert({ id: 'hh-bench', address: 'bench', grid: 'g' });
    for (const id of ids)
      await registry.devices.upsert(
        { id, householdId: 'hh-bench', type: 'motion', room: 'living' },
        registry.devices.secrets.hash(id, secret),
      );
  });
  db.close();
  hub = await startHub({
    HUB_DATA_DIR: dataDir,
    HUB_MQTT_PORT: '0',
    HUB_HTTP_PORT: '0',
    HUB_LOG_LEVEL: 'error',
    HUB_ADMIN_PASSWORD: 'bench-password',
    HUB_INFLUX_URL: influx.url,
    HUB_INFLUX_DATABASE: DB,
    // every simulated device connects from 127.0.0.1: lift the per-address connect limit for the run
    HUB_MQTT_CONNECTS_PER_MINUTE_PER_ADDRESS: '1000000',
  });
  const url = `mqtt://127.0.0.1:${hub.port}`;
  const connected: Array<{ id: string; client: MqttClient }> = [];
  for (const id of ids) {
    const client = await mqtt.connectAsync(url, {
      clientId: id,
      username: id,
      password: secret,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    });
    clients.push(client);
    connected.push({ id, client });
  }
  const load = new Load(connected);

  // Warm-up, then the sustained phase: points visible per second.
  load.start();
  await sleep(WARMUP_MS);
  const v0 = await visible(influx);
  const a0 = load.acked;
  const t0 = performance.now();
  const endAt = t0 + durationS * 1000;
  while (performance.now() < endAt) await sleep(Math.min(POLL_MS, endAt - performance.now()));
  const v1 = await visible(influx);
  const a1 = load.acked;
  const sustainedS = (performance.now() - t0) / 1000;
  const pointsPerS = (v1 - v0) / sustainedS;
  const ackedPerS = (a1 - a0) / sustainedS;
  const lagAtEnd = a1 - v1;

  // Outage: influxd down for `outageS` while the devices keep publishing.
  await influx.stop();
  const outageStart = performance.now();
  await sleep(outageS * 1000);
  await load.stop();
  const outageMs = performance.now() - outageStart;
  const ackedTotal = load.acked;
  const before = await (async () => {
    await influx.start();
    return visible(influx);
  })();
  const restartedMs = performance.now() - outageStart;
  const backlog = ackedTotal - before;
  const drain = await waitVisible(influx, ackedTotal, CATCH_UP_MS + outageS * 1000);
  const resumeWaitS = drain.quietMs / 1000;
  const drainS = (drain.elapsedMs - drain.quietMs) / 1000;
  const drainPerS = backlog / drainS;
  const finalPoints = await visible(influx);

  const cpu = cpus();
  const lines = [
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}, InfluxDB 1.x (Debian influxd) on loopback`,
    `Load: ${devices} devices, ${rate} msg/s offered, QoS 1 events and telemetry alternating; sustained ${durationS} s after ${WARMUP_MS / 1000} s warm-up; outage ${outageS} s`,
    '',
    `Sustained: ${pointsPerS.toFixed(0)} points/s visible in InfluxDB (acknowledged ${ackedPerS.toFixed(0)} msg/s; acknowledged but not yet visible at the end: ${lagAtEnd})`,
    `Outage: influxd down ${(outageMs / 1000).toFixed(1)} s while publishing (restarted after ${(restartedMs / 1000).toFixed(1)} s); backlog ${backlog} lines`,
    `Drain: writer resumed ${resumeWaitS.toFixed(1)} s after restart (its retry backoff, influxRetryMaxMs default 30 s), then ${backlog} lines in ${drainS.toFixed(1)} s = ${drainPerS.toFixed(0)} lines/s`,
    `Ratio drain / sustained ingest: ${(drainPerS / pointsPerS).toFixed(1)}`,
    `Check: ${finalPoints} points visible / ${ackedTotal} acknowledged, ${load.errors} publish errors, ${load.sent - load.acked - load.errors} unanswered`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (drain.reached < ackedTotal) process.exitCode = 1;
} finally {
  for (const c of clients) c.end(true);
  await hub?.stop();
  await influx.destroy();
  rmSync(dataDir, { recursive: true, force: true });
}
