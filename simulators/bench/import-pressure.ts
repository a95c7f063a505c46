/**
 * SOS latency while an admin imports (issue "Hardening", item 4: admin work must never stall the alarm
 * path). One hub process; a few call buttons connected over MQTT. Baseline: SOS events (QoS 1), one
 * every `intervalMs`, with nothing else running; PUBLISH → PUBACK at the button. Then, for each import
 * variant, the admin POSTs the file to `/api/import` and the buttons keep pressing SOS at the same pace
 * until the import answers (at most `maxImportS`); the PUBACK latencies of the SOS sent meanwhile. Variants:
 *
 * - `households`: a legitimate provisioning document (provisioning.md) of N households × 3 devices
 *   (button, wristband, bedroom motion sensor), each with its address, grid, location, resident, contact;
 * - `deep`: `{"households":` + '[' × depth + ']' × depth + `}` (6 MB at the default 3,000,000), the
 *   document itself as the body;
 * - `deep, wrapped`: the same text as the `content` of a `{format, content}` body.
 *
 * The presses go round the buttons of a small pool of households (each button at most 2 SOS/s), so no
 * button is counted as flooding events (5/s sustained, bursts of 50) over a long import. Usage (direct):
 *
 *   node simulators/bench/import-pressure.ts [--households 60000] [--interval 100] [--sos 40] [--max 300] [--depth 3000000]
 */
import { parseArgs } from 'node:util';
import { SimButton } from '../device-types.ts';
import { login } from '../household/hub-api.ts';
import { importFile } from '../household/import-file.ts';
import { householdSpec } from '../household/spec.ts';
import { BENCH_ADMIN_PASSWORD, type BenchHub, startBenchHub, stopChild } from './hub-child.ts';
import { machineDescription, sleep } from './machine.ts';
import { type Latencies, latencies } from './sos-saturation.ts';

export interface ImportPressureOptions {
  /** households in the legitimate import (3 devices each) */
  households: number;
  /** SOS presses of the baseline */
  sos: number;
  /** ms between SOS presses (baseline and during each import) */
  intervalMs: number;
  /** seconds an import may take before the bench gives up on it */
  maxImportS: number;
  /** brackets of each kind in the deeply nested file */
  depth: number;
}

export const IMPORT_PRESSURE_DEFAULTS: ImportPressureOptions = {
  households: 60_000,
  sos: 40,
  intervalMs: 100,
  maxImportS: 300,
  depth: 3_000_000,
};

export interface ImportVariantResult {
  variant: string;
  /** households in the file (0 for the nested ones) */
  households: number;
  devices: number;
  /** the request body, bytes */
  bytes: number;
  /** HTTP status, or null when the bench gave up (maxImportS) or the request failed */
  status: number | null;
  /** POST → the whole answer read, s (to the give-up when there was none) */
  seconds: number;
  /** a few words of the answer: households created, or the first problem */
  answer: string;
  /** SOS PUBLISHed between the POST and the answer; their PUBACKs (missing: none within 10 s more) */
  sent: number;
  puback: Latencies;
}

export interface ImportPressureResult {
  options: ImportPressureOptions;
  buttons: number;
  baseline: Latencies;
  variants: ImportVariantResult[];
}

const log = (s: string) => process.stderr.write(`[import] ${s}\n`);

/** The SOS presses of one phase: round the buttons, one every `intervalMs`, while `go()` holds. */
class Presser {
  readonly #buttons: SimButton[];
  readonly #intervalMs: number;
  #next = 0;
  constructor(buttons: SimButton[], intervalMs: number) {
    this.#buttons = buttons;
    this.#intervalMs = intervalMs;
  }

  /** Presses until `go()` is false (checked before each press) or `count` presses; the acknowledged ones' latencies. */
  async run(go: () => boolean, count = Number.POSITIVE_INFINITY): Promise<{ sent: number; acks: number[] }> {
    const acks: number[] = [];
    const pending: Array<Promise<unknown>> = [];
    let sent = 0;
    let at = performance.now();
    while (sent < count && go()) {
      const button = this.#buttons[this.#next++ % this.#buttons.length] as SimButton;
      const t0 = performance.now();
      sent++;
      pending.push(
        button.sos().then(
          () => acks.push(performance.now() - t0),
          () => undefined,
        ),
      );
      // paced on a schedule, not after each wait, so a late timer does not thin the presses out
      at += this.#intervalMs;
      await sleep(Math.max(0, at - performance.now()));
    }
    // bounded: at most 10 s more for the last acknowledgements
    await Promise.race([Promise.all(pending), sleep(10_000)]);
    return { sent, acks: [...acks] };
  }
}

interface Variant {
  name: string;
  households: number;
  devices: number;
  body: string;
}

async function postImport(
  hub: BenchHub,
  token: string,
  body: string,
  maxS: number,
): Promise<{ status: number | null; answer: string }> {
  try {
    const res = await fetch(`${hub.httpUrl}/api/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(maxS * 1000),
    });
    const text = await res.text();
    return { status: res.status, answer: answerSummary(text) };
  } catch (err) {
    const name = (err as Error).name;
    return { status: null, answer: name === 'TimeoutError' ? `no answer within ${maxS} s` : String(err) };
  }
}

/** households created, or the first problem (the secrets are left out). */
function answerSummary(text: string): string {
  try {
    const a = JSON.parse(text) as {
      ok?: boolean;
      counts?: Record<string, { created: number }>;
      error?: { code?: string; details?: { problems?: Array<{ line: number; reason: string }> } };
    };
    if (a.ok) return `${a.counts?.households?.created ?? '?'} households created`;
    const first = a.error?.details?.problems?.[0];
    return first
      ? `${a.error?.code}: line ${first.line}, ${first.reason}`
      : (a.error?.code ?? text.slice(0, 80));
  } catch {
    return text.slice(0, 80);
  }
}

export async function benchImportPressure(o: ImportPressureOptions): Promise<ImportPressureResult> {
  const poolSize = Math.max(1, Math.ceil(500 / o.intervalMs));
  const specs = Array.from({ length: poolSize }, (_, i) => householdSpec(i + 1, { prefix: 'S' }));
  log('building the import files …');
  const doc = importFile(o.households);
  const deep = `{"households":${'['.repeat(o.depth)}${']'.repeat(o.depth)}}`;
  const variants: Variant[] = [
    { name: 'households', households: o.households, devices: o.households * 3, body: JSON.stringify(doc) },
    { name: 'deep', households: 0, devices: 0, body: deep },
    {
      name: 'deep, wrapped',
      households: 0,
      devices: 0,
      body: JSON.stringify({ format: 'json', content: deep }),
    },
  ];

  const hub = await startBenchHub(specs);
  const buttons: SimButton[] = [];
  try {
    for (const s of specs) {
      const button = new SimButton({
        url: hub.mqttUrl,
        id: s.button,
        secret: hub.secrets.get(s.button) ?? '',
      });
      buttons.push(button);
      await button.connect();
    }
    const presser = new Presser(buttons, o.intervalMs);
    const token = await login(hub.httpUrl, 'admin', BENCH_ADMIN_PASSWORD);
    await sleep(1000);

    log(`baseline: ${o.sos} SOS, one every ${o.intervalMs} ms, round ${buttons.length} buttons, no import …`);
    const base = await presser.run(() => true, o.sos);
    const baseline = latencies(base.acks, base.sent);

    const results: ImportVariantResult[] = [];
    for (const v of variants) {
      await sleep(1000);
      const mb = (Buffer.byteLength(v.body) / 1e6).toFixed(1);
      log(
        `${v.name}: POST /api/import (${v.households} households, ${mb} MB) with SOS every ${o.intervalMs} ms …`,
      );
      let answered = false;
      const t0 = performance.now();
      const posting = postImport(hub, token, v.body, o.maxImportS).then((a) => {
        answered = true;
        return { ...a, seconds: (performance.now() - t0) / 1000 };
      });
      const deadline = t0 + o.maxImportS * 1000;
      const pressing = presser.run(() => !answered && performance.now() < deadline);
      const answer = await posting;
      const pressed = await pressing;
      log(
        `${v.name}: ${answer.status ?? 'no answer'} in ${answer.seconds.toFixed(2)} s; ${pressed.sent} SOS during it`,
      );
      results.push({
        variant: v.name,
        households: v.households,
        devices: v.devices,
        bytes: Buffer.byteLength(v.body),
        status: answer.status,
        seconds: answer.seconds,
        answer: answer.answer,
        sent: pressed.sent,
        puback: latencies(pressed.acks, pressed.sent),
      });
      // a hub still busy with a given-up import would spoil the next variant's figures
      if (answer.status === null) break;
    }
    return { options: o, buttons: buttons.length, baseline, variants: results };
  } finally {
    await Promise.allSettled(buttons.map((b) => b.end()));
    await stopChild(hub.child);
    await hub.stop();
  }
}

const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : '—');
const trio = (l: Latencies) => `${f(l.p50Ms)} / ${f(l.p99Ms)} / ${f(l.maxMs)}`;

/** The markdown table (and a line on how it was measured) of a run. */
export function importPressureReport(r: ImportPressureResult): string[] {
  const o = r.options;
  const rows = r.variants.map((v) => {
    const size = `${v.households} / ${(v.bytes / 1e6).toFixed(1)} MB`;
    const answer = `${v.status ?? '—'}, ${v.seconds.toFixed(2)} s`;
    const sent = `${v.sent}${v.puback.missing > 0 ? ` (${v.puback.missing} unanswered)` : ''}`;
    return `| ${v.variant} | ${size} | ${answer} | ${sent} | ${trio(v.puback)} | ${trio(r.baseline)} |`;
  });
  return [
    '### SOS latency during a large import',
    '',
    `SOS events (QoS 1) one every ${o.intervalMs} ms, round the call buttons of ${r.buttons} households, PUBLISH → PUBACK at the button; baseline: ${r.baseline.measured} SOS with no import (${r.baseline.missing} unanswered). Each variant: the admin POSTs the file to \`/api/import\` as \`application/json\` and the SOS go on until it answers (given up after ${o.maxImportS} s); the legitimate file has ${o.households} households × 3 devices (button, wristband, motion sensor) with address, grid, location, resident and contact; "deep" is \`{"households":\` + '[' × ${o.depth} + ']' × ${o.depth} + \`}\`, as the body or as the \`content\` of a \`{format, content}\` body.`,
    '',
    '| variant | import size (households / MB) | import answer (status, s) | SOS sent during it | PUBACK p50 / p99 / max ms | no import p50 / p99 / max ms |',
    '|---|---|---|---|---|---|',
    ...rows,
    '',
    ...r.variants.map((v) => `- ${v.variant}: ${v.answer}`),
    '',
  ];
}

/** The suite's summary row. */
export function importPressureSummary(r: ImportPressureResult): string {
  const v = r.variants[0];
  if (!v) return '| SOS PUBLISH → PUBACK during a large import | — | — | — |';
  return `| SOS PUBLISH → PUBACK during a ${v.households}-household import (${(v.bytes / 1e6).toFixed(1)} MB, answered ${v.status ?? '—'} in ${v.seconds.toFixed(1)} s), p50 / p99 / max | ${trio(v.puback)} ms (${v.sent} SOS; no import ${trio(r.baseline)}) | — | — |`;
}

if (import.meta.main) {
  const d = IMPORT_PRESSURE_DEFAULTS;
  const { values } = parseArgs({
    options: {
      households: { type: 'string', default: String(d.households) },
      interval: { type: 'string', default: String(d.intervalMs) },
      sos: { type: 'string', default: String(d.sos) },
      max: { type: 'string', default: String(d.maxImportS) },
      depth: { type: 'string', default: String(d.depth) },
    },
  });
  const clamp = (v: string | undefined, min: number, max: number) => Math.max(min, Math.min(max, Number(v)));
  const o: ImportPressureOptions = {
    households: clamp(values.households, 1, 99_999),
    intervalMs: clamp(values.interval, 10, 10_000),
    sos: clamp(values.sos, 1, 1000),
    maxImportS: clamp(values.max, 5, 300),
    depth: clamp(values.depth, 1, 5_000_000),
  };
  const r = await benchImportPressure(o);
  process.stdout.write(
    `${[`Machine: ${machineDescription()}`, '', ...importPressureReport(r)].join('\n')}\n`,
  );
}
