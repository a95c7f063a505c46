/**
 * SOS latency with the intake saturated: the hub's own saturated acknowledged telemetry rate is measured
 * first (a short run of 1,000 devices, one QoS 1 message in flight each, as fast as acknowledgements
 * allow), then the same devices send telemetry paced at that rate while call buttons press SOS, one a
 * second, each in another household. The telemetry comes from a client process of its own, so the SOS
 * answers are read on an event loop of their own. For every SOS: PUBLISH → PUBACK at the button, and PUBLISH → the
 * `incidentOpened` frame on a dispatcher's `/api/live` websocket; the same two with no telemetry at all
 * (the baseline), in the same run on the same hub. Usage (direct):
 *
 *   node simulators/bench/sos-saturation.ts [--sos 30] [--interval 1000] [--devices 1000] [--saturate 10] [--fraction 1]
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { SimButton } from '../device-types.ts';
import { hubApi, login } from '../household/hub-api.ts';
import { type HouseholdSpec, householdSpec } from '../household/spec.ts';
import type { LoadResult } from '../load-client.ts';
import {
  BENCH_ADMIN_PASSWORD,
  type BenchHub,
  hubMetric,
  type LoadProcess,
  startBenchHub,
  startLoadProcess,
} from './hub-child.ts';
import { machineDescription, percentile, sleep } from './machine.ts';

export interface SosSaturationOptions {
  /** devices sending the telemetry (motion and leak sensors, 5 per household) */
  devices: number;
  /** SOS presses per phase (baseline, saturated), each from the button of another household */
  sos: number;
  /** ms between SOS presses */
  intervalMs: number;
  /** seconds of the saturated measurement */
  saturateS: number;
  /** seconds of paced telemetry before the first SOS */
  warmupS: number;
  /** the paced rate as a fraction of the saturated one (1: at the ceiling; a queue builds at any dip) */
  loadFraction: number;
}

export interface Latencies {
  measured: number;
  missing: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface SosPhase {
  /** SOS PUBLISH → PUBACK at the button */
  puback: Latencies;
  /** SOS PUBLISH → incidentOpened on the dispatcher's socket */
  incident: Latencies;
}

export interface SosSaturationResult {
  devices: number;
  /** the saturated run: the hub's ceiling */
  saturated: LoadResult;
  /** the paced telemetry during the SOS presses */
  paced: LoadResult;
  pacedRate: number;
  baseline: SosPhase;
  loaded: SosPhase;
  /** telemetry held back by a device's allowance during the runs (hub_ingest_rate_delayed_total; NaN: no such metric) */
  delayed: number;
}

export const SOS_GOAL = { p99Ms: 20, timesBaseline: 2 };

const DISPATCHER = {
  username: 'bench-dispatcher',
  password: 'bench-dispatcher-password',
  role: 'dispatcher',
};
const log = (s: string) => process.stderr.write(`[sos] ${s}\n`);

/** p50/p99/max of the measured latencies (ms), and how many of `expected` never came. */
export function latencies(values: number[], expected: number): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    measured: sorted.length,
    missing: expected - sorted.length,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? Number.NaN,
  };
}

/** The dispatcher's live socket: the time each household's first incidentOpened frame arrived. */
async function dispatcherSocket(hub: BenchHub): Promise<{ ws: WebSocket; opened: Map<string, number> }> {
  const admin = hubApi(hub.httpUrl, await login(hub.httpUrl, 'admin', BENCH_ADMIN_PASSWORD));
  await admin.call('POST', '/api/users', DISPATCHER);
  const token = await login(hub.httpUrl, DISPATCHER.username, DISPATCHER.password);
  const opened = new Map<string, number>();
  const ws = new WebSocket(`${hub.httpUrl.replace('http', 'ws')}/api/live`, {
    headers: { authorization: `Bearer ${token}` },
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no hello on /api/live within 10 s')), 10_000);
    ws.once('error', reject);
    ws.on('message', (data) => {
      const at = performance.now();
      const frame = JSON.parse(String(data)) as {
        type: string;
        event?: string;
        data?: { incident?: { householdId?: string } };
      };
      if (frame.type === 'hello') {
        clearTimeout(timer);
        resolve();
      }
      const household = frame.data?.incident?.householdId;
      if (frame.type === 'event' && frame.event === 'incidentOpened' && household && !opened.has(household))
        opened.set(household, at);
    });
  });
  return { ws, opened };
}

/** One SOS every `intervalMs` from each button; PUBACK and incidentOpened latencies. */
async function pressAll(
  buttons: Array<{ button: SimButton; household: string }>,
  opened: Map<string, number>,
  intervalMs: number,
): Promise<SosPhase> {
  const sent = new Map<string, number>();
  const acks: number[] = [];
  const pending: Array<Promise<void>> = [];
  for (const { button, household } of buttons) {
    const t0 = performance.now();
    sent.set(household, t0);
    pending.push(
      button.sos().then(
        () => {
          acks.push(performance.now() - t0);
        },
        () => undefined,
      ),
    );
    await sleep(intervalMs);
  }
  // bounded: at most 10 s more for the last acknowledgements and frames
  const deadline = performance.now() + 10_000;
  const waiting = () => acks.length < buttons.length || [...sent.keys()].some((h) => !opened.has(h));
  while (waiting() && performance.now() < deadline) await sleep(20);
  await Promise.race([Promise.all(pending), sleep(Math.max(0, deadline - performance.now()))]);
  const incident = [...sent].flatMap(([h, t0]) => {
    const at = opened.get(h);
    return at === undefined ? [] : [at - t0];
  });
  return { puback: latencies(acks, buttons.length), incident: latencies(incident, buttons.length) };
}

export async function benchSosSaturation(o: SosSaturationOptions): Promise<SosSaturationResult> {
  const baselineSpecs = Array.from({ length: o.sos }, (_, i) => householdSpec(i + 1, { prefix: 'B' }));
  const loadedSpecs = Array.from({ length: o.sos }, (_, i) => householdSpec(i + 1, { prefix: 'L' }));
  const telemetrySpecs = Array.from({ length: Math.ceil(o.devices / 5) }, (_, i) =>
    householdSpec(i + 1, { prefix: 'T' }),
  );
  // The hub's ceiling is the measure here, not a device's allowance (5 msg/s, bursts of 50): 1,000 devices
  // at the saturated rate send ~7 msg/s each, so the allowance is lifted (bench/intake.ts does the same).
  const hub = await startBenchHub([...baselineSpecs, ...loadedSpecs, ...telemetrySpecs], {
    HUB_DEVICE_TELEMETRY_PER_SECOND: '100000',
    HUB_DEVICE_TELEMETRY_BURST: '100000',
  });
  const buttons: SimButton[] = [];
  const loads: LoadProcess[] = [];
  let ws: WebSocket | null = null;
  try {
    const live = await dispatcherSocket(hub);
    ws = live.ws;
    const connect = async (specs: HouseholdSpec[]) => {
      const out: Array<{ button: SimButton; household: string }> = [];
      for (const s of specs) {
        const button = new SimButton({
          url: hub.mqttUrl,
          id: s.button,
          secret: hub.secrets.get(s.button) ?? '',
        });
        buttons.push(button);
        await button.connect();
        out.push({ button, household: s.id });
      }
      return out;
    };
    const baselineButtons = await connect(baselineSpecs);
    const loadedButtons = await connect(loadedSpecs);
    const telemetry = telemetrySpecs
      .flatMap((s) => [...Object.values(s.motion), s.leak])
      .slice(0, o.devices)
      .map((id) => ({ id, secret: hub.secrets.get(id) ?? '' }));
    const delayedBefore = await hubMetric(hub.httpUrl, 'hub_ingest_rate_delayed_total');

    log(`baseline: ${o.sos} SOS, one every ${o.intervalMs} ms, no telemetry …`);
    await sleep(1000);
    const baseline = await pressAll(baselineButtons, live.opened, o.intervalMs);

    log(`saturated: ${telemetry.length} devices, telemetry as fast as acknowledged, ${o.saturateS} s …`);
    const common = {
      url: hub.mqttUrl,
      devices: telemetry,
      window: 1,
      telemetryOnly: true,
      connectConcurrency: 50,
    };
    const saturating = startLoadProcess({ ...common, durationS: o.saturateS, rate: 0 });
    loads.push(saturating);
    const saturated = await saturating.result;
    const pacedRate = Math.max(1, Math.round(saturated.perSecond * o.loadFraction));
    log(
      `saturated: ${saturated.perSecond.toFixed(0)} msg/s acknowledged; paced at ${pacedRate} msg/s with ${o.sos} SOS …`,
    );
    await sleep(1000);

    const pacing = startLoadProcess({
      ...common,
      durationS: o.warmupS + (o.sos * o.intervalMs) / 1000 + 2,
      rate: pacedRate,
    });
    loads.push(pacing);
    await Promise.race([pacing.publishing, pacing.result]);
    await sleep(o.warmupS * 1000);
    const loaded = await pressAll(loadedButtons, live.opened, o.intervalMs);
    const paced = await pacing.result;
    const delayed = (await hubMetric(hub.httpUrl, 'hub_ingest_rate_delayed_total')) - delayedBefore;
    return { devices: telemetry.length, saturated, paced, pacedRate, baseline, loaded, delayed };
  } finally {
    for (const l of loads) l.kill();
    ws?.close();
    await Promise.allSettled(buttons.map((b) => b.end()));
    await hub.stop();
  }
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');

/** The goal for one measure: p99 ≤ 20 ms and ≤ 2 × the same p99 without telemetry, nothing missing. */
export function sosGoalMet(loaded: Latencies, baseline: Latencies): boolean {
  return (
    loaded.missing === 0 &&
    loaded.p99Ms <= SOS_GOAL.p99Ms &&
    loaded.p99Ms <= SOS_GOAL.timesBaseline * baseline.p99Ms
  );
}

/** The suite's summary rows and section. */
export function sosReport(
  o: SosSaturationOptions,
  r: SosSaturationResult,
): { summary: string[]; section: string[] } {
  const goal = `p99 ≤ ${SOS_GOAL.p99Ms} ms and ≤ ${SOS_GOAL.timesBaseline} × no telemetry`;
  const verdict = (l: Latencies, b: Latencies) => (sosGoalMet(l, b) ? 'met' : 'not met');
  const bg = `${r.paced.perSecond.toFixed(0)} of ${r.pacedRate} msg/s acknowledged`;
  const summary = [
    `| SOS PUBLISH → PUBACK with the intake saturated (telemetry paced at ${r.pacedRate} msg/s = ${o.loadFraction} × the hub's saturated ${r.saturated.perSecond.toFixed(0)}), p50 / p99 | ${f(r.loaded.puback.p50Ms)} / ${f(r.loaded.puback.p99Ms)} ms (no telemetry ${f(r.baseline.puback.p50Ms)} / ${f(r.baseline.puback.p99Ms)}; ${r.loaded.puback.measured} SOS, ${bg}) | ${goal} | ${verdict(r.loaded.puback, r.baseline.puback)} |`,
    `| SOS PUBLISH → incidentOpened on a dispatcher's websocket, same load, p50 / p99 | ${f(r.loaded.incident.p50Ms)} / ${f(r.loaded.incident.p99Ms)} ms (no telemetry ${f(r.baseline.incident.p50Ms)} / ${f(r.baseline.incident.p99Ms)}; ${r.loaded.incident.missing} missing) | ${goal} | ${verdict(r.loaded.incident, r.baseline.incident)} |`,
  ];
  const row = (name: string, l: Latencies, b: Latencies | null) =>
    `| ${name} | ${l.measured} | ${l.missing} | ${f(l.p50Ms)} | ${f(l.p99Ms)} | ${f(l.maxMs)} | ${b ? `${(l.p99Ms / b.p99Ms).toFixed(1)} × · ${verdict(l, b)}` : '—'} |`;
  const section = [
    '### SOS latency with the intake saturated',
    '',
    `Saturated: ${r.devices} devices (motion and leak sensors) sending QoS 1 telemetry, one message in flight each, for ${o.saturateS} s: ${r.saturated.perSecond.toFixed(0)} msg/s acknowledged (PUBACK p50 ${f(r.saturated.p50Ms)} / p99 ${f(r.saturated.p99Ms)} ms). Then the same devices paced at ${r.pacedRate} msg/s (${o.loadFraction} × the saturated rate): ${r.paced.perSecond.toFixed(0)} msg/s acknowledged (PUBACK p50 ${f(r.paced.p50Ms)} / p99 ${f(r.paced.p99Ms)} ms, ${r.paced.errors} errors, ${r.paced.sent - r.paced.acked} unanswered), ${o.sos} SOS one every ${o.intervalMs} ms after ${o.warmupS} s, each from another household's button. Baseline: ${o.sos} SOS from other households with no telemetry, first, on the same hub. A device's telemetry allowance was lifted for the run (the hub's ceiling is measured, not the allowance); telemetry delayed by an allowance: ${Number.isNaN(r.delayed) ? 'n/a' : r.delayed}.`,
    '',
    `| measure | measured | missing | p50 ms | p99 ms | max ms | p99 / no telemetry · goal (${goal}) |`,
    '|---|---|---|---|---|---|---|',
    row('PUBLISH → PUBACK, no telemetry', r.baseline.puback, null),
    row(`PUBLISH → PUBACK, ${r.pacedRate} msg/s`, r.loaded.puback, r.baseline.puback),
    row('PUBLISH → incidentOpened, no telemetry', r.baseline.incident, null),
    row(`PUBLISH → incidentOpened, ${r.pacedRate} msg/s`, r.loaded.incident, r.baseline.incident),
    '',
  ];
  return { summary, section };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      sos: { type: 'string', default: '30' },
      interval: { type: 'string', default: '1000' },
      devices: { type: 'string', default: '1000' },
      saturate: { type: 'string', default: '10' },
      fraction: { type: 'string', default: '1' },
    },
  });
  const clamp = (v: string | undefined, min: number, max: number) => Math.max(min, Math.min(max, Number(v)));
  const o: SosSaturationOptions = {
    sos: clamp(values.sos, 1, 1000),
    intervalMs: clamp(values.interval, 10, 10_000),
    devices: clamp(values.devices, 1, 5000),
    saturateS: clamp(values.saturate, 2, 120),
    warmupS: 3,
    loadFraction: clamp(values.fraction, 0.01, 2),
  };
  const r = await benchSosSaturation(o);
  const { summary, section } = sosReport(o, r);
  process.stdout.write(
    `${[`Machine: ${machineDescription()}`, '', '| measure | result | goal | |', '|---|---|---|---|', ...summary, '', ...section].join('\n')}\n`,
  );
}
