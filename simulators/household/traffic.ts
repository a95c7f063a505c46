import type { MqttClient } from 'mqtt';
import { type DeviceType, HEARTBEAT_INTERVAL_MS, topics } from '../../kernel/contract.ts';
import { connectFrom } from './connect-from.ts';
import { Random } from './random.ts';
import type { HouseholdSpec } from './spec.ts';

const MIN = 60_000;

/**
 * What each kind of device sends, and how often, at speed 1 (real time): its heartbeat at the
 * protocol's interval, and motion events about every 10 min per sensor (an active home in the
 * daytime). At speed 1 a household sends ~0.0136 messages/s (49 an hour); `speed` compresses time.
 */
export const STREAMS: ReadonlyArray<{ type: DeviceType; kind: 'telemetry' | 'event'; everyMs: number }> = [
  { type: 'button', kind: 'telemetry', everyMs: HEARTBEAT_INTERVAL_MS.button },
  { type: 'wristband', kind: 'telemetry', everyMs: HEARTBEAT_INTERVAL_MS.wristband },
  { type: 'motion', kind: 'telemetry', everyMs: HEARTBEAT_INTERVAL_MS.motion },
  { type: 'motion', kind: 'event', everyMs: 10 * MIN },
  { type: 'leak', kind: 'telemetry', everyMs: HEARTBEAT_INTERVAL_MS.leak },
  { type: 'water_meter', kind: 'telemetry', everyMs: HEARTBEAT_INTERVAL_MS.water_meter },
];

/** Messages per second one household sends at speed 1 (4 motion sensors, one of each other type). */
export function householdRate(motionSensors = 4): number {
  return STREAMS.reduce((sum, s) => sum + (s.type === 'motion' ? motionSensors : 1) * (1000 / s.everyMs), 0);
}

export interface TrafficOptions {
  url: string;
  specs: HouseholdSpec[];
  secrets: ReadonlyMap<string, string>;
  /** seconds of traffic once the ramp is done */
  durationS: number;
  /** simulated time per real time: 60 = each device sends 60 × as often */
  speed: number;
  /** connections opened per second during the ramp */
  rampPerS: number;
  /** source addresses (127.0.0.x), used in turn */
  localAddresses?: string[];
  seed?: number;
  onProgress?: (p: TrafficProgress) => void;
}

export interface TrafficProgress {
  phase: 'ramp' | 'traffic' | 'drain';
  devices: number;
  connected: number;
  connectErrors: number;
  sent: number;
  acked: number;
  errors: number;
  elapsedS: number;
}

export interface TrafficSummary extends TrafficProgress {
  households: number;
  /** seconds of traffic (after the ramp) */
  trafficS: number;
  /** acknowledged messages per second during the traffic phase */
  ackedPerS: number;
  offeredPerS: number;
  p50Ms: number;
  p99Ms: number;
  /** acknowledged per device type */
  byType: Record<string, number>;
}

interface Lane {
  id: string;
  type: DeviceType;
  client: MqttClient | null;
  streams: Array<{ kind: 'telemetry' | 'event'; everyMs: number; next: number }>;
  seq: number;
  counter: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** A payload the protocol accepts for the device type and stream. */
function payload(lane: Lane, kind: 'telemetry' | 'event', spec: HouseholdSpec): string {
  lane.counter++;
  if (kind === 'event') return JSON.stringify({ event: 'motion', seq: lane.seq++ });
  switch (lane.type) {
    case 'button':
      return JSON.stringify({ battery: 87 });
    case 'wristband':
      return JSON.stringify({
        heartRate: 64 + (lane.counter % 12),
        spo2: 97,
        steps: lane.counter * 40,
        battery: 80,
        lat: spec.location.lat,
        lon: spec.location.lon,
        accuracy: 12,
      });
    case 'water_meter':
      return JSON.stringify({ totalLiters: 120_000 + lane.counter * 7.5, flowLpm: 0 });
    default:
      return JSON.stringify({ battery: 90 });
  }
}

/**
 * Connects every device of the households with its own credentials (a ramp of `rampPerS` connects per
 * second), then sends each device type's messages at its rate × `speed` for `durationS` seconds, all
 * QoS 1, and counts sent, acknowledged (PUBACK) and failed messages. Bounded: the ramp stops at
 * duration + 120 s at the latest, the drain of outstanding acknowledgements waits at most 10 s.
 */
export async function runTraffic(opts: TrafficOptions): Promise<TrafficSummary> {
  const started = performance.now();
  const r = new Random(opts.seed ?? 1);
  const specOf = new Map<string, HouseholdSpec>();
  const lanes: Lane[] = [];
  for (const spec of opts.specs) {
    const devices: Array<[string, DeviceType]> = [
      [spec.button, 'button'],
      [spec.wristband, 'wristband'],
      ...Object.values(spec.motion).map((id): [string, DeviceType] => [id, 'motion']),
      [spec.leak, 'leak'],
      [spec.meter, 'water_meter'],
    ];
    for (const [id, type] of devices) {
      specOf.set(id, spec);
      lanes.push({
        id,
        type,
        client: null,
        seq: 0,
        counter: 0,
        // a random phase per stream; the first message right after connecting (a device's boot report)
        streams: STREAMS.filter((s) => s.type === type).map((s) => ({
          kind: s.kind,
          everyMs: s.everyMs / opts.speed,
          next: s.kind === 'telemetry' ? 0 : r.between(0, s.everyMs / opts.speed),
        })),
      });
    }
  }
  const p: TrafficProgress = {
    phase: 'ramp',
    devices: lanes.length,
    connected: 0,
    connectErrors: 0,
    sent: 0,
    acked: 0,
    errors: 0,
    elapsedS: 0,
  };
  const latencies: number[] = [];
  const ackedByType: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  const progress = setInterval(() => {
    p.elapsedS = (performance.now() - started) / 1000;
    opts.onProgress?.({ ...p });
  }, 1000);

  const send = (lane: Lane, kind: 'telemetry' | 'event') => {
    const client = lane.client;
    if (!client) return;
    const body = payload(lane, kind, specOf.get(lane.id) as HouseholdSpec);
    const t0 = performance.now();
    p.sent++;
    const done = client.publishAsync(topics.device(lane.id, kind), body, { qos: 1 }).then(
      () => {
        p.acked++;
        ackedByType[lane.type] = (ackedByType[lane.type] ?? 0) + 1;
        latencies.push(performance.now() - t0);
      },
      () => {
        p.errors++;
      },
    );
    const tracked = done.finally(() => pending.delete(tracked));
    pending.add(tracked);
  };

  // Every 20 ms: the messages due by now (connected devices only; their clocks start at connect).
  let trafficFrom = 0;
  const tick = setInterval(() => {
    const now = performance.now();
    for (const lane of lanes) {
      if (!lane.client) continue;
      for (const s of lane.streams) {
        if (s.next > now) continue;
        send(lane, s.kind);
        s.next = Math.max(s.next + s.everyMs, now);
      }
    }
  }, 20);

  try {
    // Ramp: rampPerS connects a second, at most 200 in flight.
    const addresses = opts.localAddresses?.length ? opts.localAddresses : [undefined];
    const rampDeadline = started + (opts.durationS + 120) * 1000;
    const inflight = new Set<Promise<void>>();
    for (const [i, lane] of lanes.entries()) {
      if (performance.now() > rampDeadline) break;
      const due = started + (i / opts.rampPerS) * 1000;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((res) => setTimeout(res, wait));
      const secret = opts.secrets.get(lane.id) ?? '';
      const c = connectFrom(
        opts.url,
        {
          clientId: lane.id,
          username: lane.id,
          password: secret,
          keepalive: 300,
          connectTimeout: 30_000,
          will: {
            topic: topics.device(lane.id, 'status'),
            payload: Buffer.from('{"state":"offline"}'),
            qos: 1,
            retain: true,
          },
        },
        addresses[i % addresses.length],
      ).then(
        async (client) => {
          client.on('error', () => undefined);
          await client.subscribeAsync([topics.device(lane.id, 'command'), topics.device(lane.id, 'error')], {
            qos: 1,
          });
          await client.publishAsync(topics.device(lane.id, 'status'), '{"state":"online"}', {
            qos: 1,
            retain: true,
          });
          for (const s of lane.streams) s.next += performance.now();
          lane.client = client;
          p.connected++;
        },
        () => {
          p.connectErrors++;
        },
      );
      const tracked = c.finally(() => inflight.delete(tracked));
      inflight.add(tracked);
      if (inflight.size >= 200) await Promise.race(inflight);
    }
    await Promise.all(inflight);

    p.phase = 'traffic';
    trafficFrom = performance.now();
    const sentAtStart = p.sent;
    const ackedAtStart = p.acked;
    await new Promise((res) => setTimeout(res, opts.durationS * 1000));
    const trafficS = (performance.now() - trafficFrom) / 1000;
    const ackedInTraffic = p.acked - ackedAtStart;
    const sentInTraffic = p.sent - sentAtStart;
    clearInterval(tick);
    p.phase = 'drain';
    await Promise.race([Promise.all([...pending]), new Promise((res) => setTimeout(res, 10_000))]);
    latencies.sort((a, b) => a - b);
    p.elapsedS = (performance.now() - started) / 1000;
    return {
      ...p,
      households: opts.specs.length,
      trafficS,
      ackedPerS: ackedInTraffic / trafficS,
      offeredPerS: sentInTraffic / trafficS,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      byType: ackedByType,
    };
  } finally {
    clearInterval(tick);
    clearInterval(progress);
    for (const lane of lanes) lane.client?.end(true);
  }
}
