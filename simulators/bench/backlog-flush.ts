/**
 * Backlog flush: one device comes back with a queue of QoS 1 telemetry kept while it was offline and
 * publishes all of it at once (an MQTT.js client, every message on the wire before the first PUBACK). The
 * hub allows a device 5 telemetry messages/s sustained, bursts of 50, and delays (does not refuse)
 * over-rate QoS 1 telemetry, so the flush takes about (N − 50) / 5 s. Measures the time until all are
 * PUBACKed, the answers on the device's `error` topic (rate_limited and the like: 0 expected), and the
 * messages lost: published − distinct seqs in the hub's store, read from its SQLite file (read-only) after
 * the hub stopped. Usage (direct):
 *
 *   node simulators/bench/backlog-flush.ts [--messages 1000] [--max 600]
 */
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { parseArgs } from 'node:util';
import mqtt from 'mqtt';
import { createSqliteIngestQueries } from '../../ingest/queries/sqlite.ts';
import { topics } from '../../kernel/contract.ts';
import { householdSpec } from '../household/spec.ts';
import { hubMetric, startBenchHub } from './hub-child.ts';
import { machineDescription, sleep } from './machine.ts';

export interface BacklogOptions {
  /** queued QoS 1 telemetry messages the device publishes at once */
  messages: number;
  /** seconds the flush may take at most before the bench gives up waiting */
  maxS: number;
}

/** device-protocol.md: a device's telemetry allowance */
export const DEVICE_ALLOWANCE = { perSecond: 5, burst: 50 };

export interface BacklogResult {
  deviceId: string;
  published: number;
  acked: number;
  /** the publish failed at the client (its connection closed, …) */
  failed: number;
  /** from the first PUBLISH to the last PUBACK, s (to the bench's give-up when some never came) */
  seconds: number;
  /** (N − burst) / sustained rate */
  expectedS: number;
  /** PUBACKs of the first `burst` messages, s after the start */
  burstS: number;
  /** acknowledged messages/s after the burst */
  sustainedPerS: number;
  /** answers on eldercare/v1/{id}/error, by code */
  errors: Record<string, number>;
  errorCount: number;
  /** distinct seqs of the device's telemetry in the store */
  stored: number;
  /** published − distinct seqs stored */
  lost: number;
  /** telemetry the hub delayed for the device's allowance (hub_ingest_rate_delayed_total; NaN: no such metric) */
  delayed: number;
  /** the client's connection closed during the flush */
  closes: number;
}

const log = (s: string) => process.stderr.write(`[backlog] ${s}\n`);

export async function benchBacklogFlush(o: BacklogOptions): Promise<BacklogResult> {
  const spec = householdSpec(1, { prefix: 'F' });
  const deviceId = spec.motion.bedroom ?? '';
  const hub = await startBenchHub([spec]);
  try {
    const client = await mqtt.connectAsync(hub.mqttUrl, {
      clientId: deviceId,
      username: deviceId,
      password: hub.secrets.get(deviceId) ?? '',
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 10_000,
      keepalive: 60,
    });
    const errors: Record<string, number> = {};
    let errorCount = 0;
    let closes = 0;
    client.on('close', () => closes++);
    client.on('error', () => undefined);
    client.on('message', (topic, payload) => {
      if (!topic.endsWith('/error')) return;
      errorCount++;
      let code = 'unparsed';
      try {
        code = String((JSON.parse(payload.toString()) as { code?: unknown }).code ?? 'no code');
      } catch {
        // keep 'unparsed'
      }
      errors[code] = (errors[code] ?? 0) + 1;
    });
    await client.subscribeAsync([topics.device(deviceId, 'error'), topics.device(deviceId, 'command')], {
      qos: 1,
    });
    const delayedBefore = await hubMetric(hub.httpUrl, 'hub_ingest_rate_delayed_total');
    await sleep(500);

    const topic = topics.device(deviceId, 'telemetry');
    const ackedAt: number[] = [];
    let failed = 0;
    log(`${deviceId}: ${o.messages} queued QoS 1 telemetry messages published at once …`);
    const t0 = performance.now();
    const all = Array.from({ length: o.messages }, (_, seq) =>
      client.publishAsync(topic, JSON.stringify({ battery: 90, seq }), { qos: 1 }).then(
        () => {
          ackedAt.push(performance.now() - t0);
        },
        () => {
          failed++;
        },
      ),
    );
    const deadline = t0 + o.maxS * 1000;
    let lastLog = t0;
    while (ackedAt.length + failed < o.messages && performance.now() < deadline && client.connected) {
      await sleep(50);
      if (performance.now() - lastLog > 10_000) {
        lastLog = performance.now();
        log(`${ackedAt.length} of ${o.messages} acknowledged after ${((lastLog - t0) / 1000).toFixed(0)} s`);
      }
    }
    const done = ackedAt.length + failed === o.messages;
    const sorted = [...ackedAt].sort((a, b) => a - b);
    const seconds = (done ? (sorted.at(-1) ?? 0) : performance.now() - t0) / 1000;
    await sleep(1000); // answers on …/error still on their way
    const delayed = (await hubMetric(hub.httpUrl, 'hub_ingest_rate_delayed_total')) - delayedBefore;
    const closesDuring = closes;
    client.end(true);
    void Promise.allSettled(all);
    await hub.child.stop();

    // What the store kept, through the ingest room's queries on the stopped hub's store (read-only).
    const db = new DatabaseSync(join(hub.dataDir, 'hub.sqlite'), { readOnly: true });
    let stored = 0;
    try {
      const kept = await createSqliteIngestQueries(db).messages({ deviceId, channel: 'telemetry' });
      stored = new Set(kept.map((m) => m.seq).filter((seq) => seq !== null)).size;
    } finally {
      db.close();
    }
    const burst = Math.min(DEVICE_ALLOWANCE.burst, sorted.length);
    const burstMs = burst > 0 ? (sorted[burst - 1] as number) : Number.NaN;
    const after = sorted.length - burst;
    const lastMs = sorted.at(-1) ?? Number.NaN;
    return {
      deviceId,
      published: o.messages,
      acked: ackedAt.length,
      failed,
      seconds,
      expectedS: Math.max(0, o.messages - DEVICE_ALLOWANCE.burst) / DEVICE_ALLOWANCE.perSecond,
      burstS: burstMs / 1000,
      sustainedPerS: after > 0 && lastMs > burstMs ? (after * 1000) / (lastMs - burstMs) : Number.NaN,
      errors,
      errorCount,
      stored,
      lost: o.messages - stored,
      delayed,
      closes: closesDuring,
    };
  } finally {
    await hub.stop();
  }
}

const f = (x: number, d = 1) => (Number.isFinite(x) ? x.toFixed(d) : '—');
const codes = (e: Record<string, number>) =>
  Object.entries(e)
    .map(([c, k]) => `${c} ${k}`)
    .join(', ') || 'none';

export function backlogReport(o: BacklogOptions, r: BacklogResult): { summary: string; section: string[] } {
  const ok = r.acked === r.published && r.lost === 0 && r.errorCount === 0;
  const summary = `| backlog flush, one device publishes ${r.published} queued QoS 1 telemetry messages at once: all PUBACKed after; lost; error answers | ${f(r.seconds)} s (expected (N − ${DEVICE_ALLOWANCE.burst}) / ${DEVICE_ALLOWANCE.perSecond} = ${f(r.expectedS)} s); ${r.acked} acked, ${r.lost} lost, ${r.errorCount} error answers (${codes(r.errors)}) | all acked, 0 lost, 0 error answers | ${ok ? 'met' : 'not met'} |`;
  const section = [
    '### Backlog flush of one device',
    '',
    `One motion sensor (${r.deviceId}) publishes ${r.published} QoS 1 telemetry messages (seq 0 … ${r.published - 1}) at once, as a device flushing the queue it kept offline; the hub allows ${DEVICE_ALLOWANCE.perSecond} msg/s sustained, bursts of ${DEVICE_ALLOWANCE.burst}. Lost = published − distinct seqs of its telemetry in the hub's store (read from the SQLite file after the hub stopped). The bench waits at most ${o.maxS} s.`,
    '',
    '| published | acked | failed at the client | all PUBACKed after s | expected s | first 50 acked after s | acked msg/s after the burst | error answers | stored (distinct seqs) | lost | delayed by the allowance (hub metric) | connection closes |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    `| ${r.published} | ${r.acked} | ${r.failed} | ${f(r.seconds)} | ${f(r.expectedS)} | ${f(r.burstS, 2)} | ${f(r.sustainedPerS, 2)} | ${r.errorCount} (${codes(r.errors)}) | ${r.stored} | ${r.lost} | ${Number.isNaN(r.delayed) ? 'n/a' : r.delayed} | ${r.closes} |`,
    '',
  ];
  return { summary, section };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      messages: { type: 'string', default: '1000' },
      max: { type: 'string', default: '600' },
    },
  });
  const clamp = (v: string | undefined, min: number, max: number) => Math.max(min, Math.min(max, Number(v)));
  const o: BacklogOptions = {
    messages: clamp(values.messages, 1, 100_000),
    maxS: clamp(values.max, 5, 3600),
  };
  const r = await benchBacklogFlush(o);
  const { summary, section } = backlogReport(o, r);
  process.stdout.write(
    `${[`Machine: ${machineDescription()}`, '', '| measure | result | goal | |', '|---|---|---|---|', summary, '', ...section].join('\n')}\n`,
  );
}
