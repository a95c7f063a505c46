import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../kernel/contract.ts';

export interface LoadOptions {
  url: string;
  devices: Array<{ id: string; secret?: string }>;
  /** seconds of publishing after all devices connected */
  durationS: number;
  /** total target messages/s across all devices; 0 = as fast as acknowledgements allow */
  rate: number;
  /** QoS 1 messages in flight per device when rate = 0 */
  window: number;
  /** only telemetry ({"battery":90}), no events: background load that raises no alarm */
  telemetryOnly?: boolean;
  /** connects opened at once (default 1: one after the other) */
  connectConcurrency?: number;
  /** called once every device is connected and the timed publishing starts */
  onPublishing?: () => void;
}

export interface LoadResult {
  sent: number;
  acked: number;
  errors: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * Publishes QoS 1 events and telemetry (alternating) from many devices and measures PUBACK latency.
 * Bounded: stops after `durationS` seconds and waits at most 5 s more for acknowledgements.
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const clients: Array<{ id: string; client: MqttClient; seq: number }> = [];
  const concurrency = Math.max(1, opts.connectConcurrency ?? 1);
  for (let i = 0; i < opts.devices.length; i += concurrency) {
    const batch = opts.devices.slice(i, i + concurrency);
    const connected = await Promise.all(
      batch.map((d) =>
        mqtt.connectAsync(opts.url, {
          clientId: d.id,
          username: d.id,
          password: d.secret ?? 'x',
          reconnectPeriod: 0,
          connectTimeout: 10_000,
        }),
      ),
    );
    for (const [j, client] of connected.entries()) clients.push({ id: batch[j]?.id ?? '', client, seq: 0 });
  }
  // Let the broker settle (connect bookkeeping) before anything is timed.
  await new Promise((r) => setTimeout(r, 1500));
  opts.onPublishing?.();
  const latencies: number[] = [];
  let sent = 0;
  let acked = 0;
  let errors = 0;
  const start = performance.now();
  const endAt = start + opts.durationS * 1000;
  const publish = (c: (typeof clients)[number]) => {
    const seq = c.seq++;
    const isEvent = !opts.telemetryOnly && seq % 2 === 0;
    const topic = topics.device(c.id, isEvent ? 'event' : 'telemetry');
    const body = isEvent ? { event: 'motion', seq } : { battery: 90 };
    const t0 = performance.now();
    sent++;
    return c.client.publishAsync(topic, JSON.stringify(body), { qos: 1 }).then(
      () => {
        acked++;
        latencies.push(performance.now() - t0);
      },
      () => {
        errors++;
      },
    );
  };

  if (opts.rate === 0) {
    await Promise.all(
      clients.map(async (c) => {
        const inflight = new Set<Promise<void>>();
        while (performance.now() < endAt) {
          const p = publish(c).finally(() => inflight.delete(p));
          inflight.add(p);
          if (inflight.size >= opts.window) await Promise.race(inflight);
        }
        await Promise.race([Promise.all(inflight), new Promise((r) => setTimeout(r, 5000))]);
      }),
    );
  } else {
    // Paced: every 10 ms, send the messages due by now, round-robin over devices.
    const pending: Array<Promise<void>> = [];
    let next = 0;
    while (performance.now() < endAt) {
      const due = Math.floor(((performance.now() - start) / 1000) * opts.rate);
      while (sent < due) pending.push(publish(clients[next++ % clients.length] as (typeof clients)[number]));
      await new Promise((r) => setTimeout(r, 10));
    }
    await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 5000))]);
  }
  const seconds = (performance.now() - start) / 1000;
  for (const c of clients) c.client.end(true);
  latencies.sort((a, b) => a - b);
  return {
    sent,
    acked,
    errors,
    seconds,
    perSecond: acked / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}
