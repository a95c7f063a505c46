import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Child, HUB_HTTP_PORT, HUB_MQTT_PORT, startChild } from '../child-process.ts';
import { type ProvisionDirectOptions, provisionDirect } from '../household/provision-direct.ts';
import type { HouseholdSpec } from '../household/spec.ts';
import type { LoadOptions, LoadResult } from '../load-client.ts';
import { sleep } from './machine.ts';

export const BENCH_ADMIN_PASSWORD = 'bench-admin-password';

export interface BenchHub {
  child: Child;
  mqttUrl: string;
  httpUrl: string;
  /** the temporary data directory (removed by stop) */
  dataDir: string;
  /** id → secret (provision-direct.ts: one shared secret unless `provision.hashFor` was given) */
  secrets: Map<string, string>;
  stop(): Promise<void>;
}

/** every process started here that may still run: killed when this process exits (normally or on an uncaught error) */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Kills `child` (SIGKILL) if it still runs when this process exits. */
export function killOnExit(child: ChildProcess): ChildProcess {
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

/**
 * Like child-process.ts `startChild` (a TypeScript entry point of this project on this Node, resolving
 * with the port `portPattern` finds in its stdout), but bounded: a process that has not printed its
 * port after `timeoutMs` is killed and the start rejected; and it is killed when this process exits.
 */
export function startBenchChild(
  args: string[],
  env: Record<string, string>,
  portPattern: RegExp,
  timeoutMs = 60_000,
): Promise<Child> {
  return startChild(args, env, portPattern, { timeoutMs, onSpawn: killOnExit });
}

export interface HubProcess {
  child: Child;
  mqttUrl: string;
  httpUrl: string;
}

/**
 * `main.ts` as a child process on `dataDir`, its MQTT listener on `mqttPort` (0: any free port; a port
 * again to restart a hub where its devices know it), the per-address connect limit lifted, logs at
 * error. Resolves once the start banner names its MQTT port (it is listening).
 */
export async function startHubProcess(
  dataDir: string,
  opts: { mqttPort?: number; env?: Record<string, string> } = {},
): Promise<HubProcess> {
  const child = await startBenchChild(
    ['main.ts'],
    {
      HUB_DATA_DIR: dataDir,
      HUB_MQTT_PORT: String(opts.mqttPort ?? 0),
      HUB_HTTP_PORT: '0',
      HUB_LOG_LEVEL: 'error',
      HUB_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
      HUB_MQTT_CONNECTS_PER_MINUTE_PER_ADDRESS: '10000000',
      ...opts.env,
    },
    HUB_MQTT_PORT,
  );
  for (let i = 0; i < 100 && !HUB_HTTP_PORT.test(child.output()); i++) await sleep(50);
  const http = HUB_HTTP_PORT.exec(child.output())?.[1];
  return { child, mqttUrl: `mqtt://127.0.0.1:${child.port}`, httpUrl: `http://127.0.0.1:${http}` };
}

/**
 * The hub as a child process of its own (its CPU apart from the load's), on a temporary data directory
 * with `specs` provisioned straight into the store, the per-address connect limit lifted, logs at error.
 */
export async function startBenchHub(
  specs: HouseholdSpec[],
  env: Record<string, string> = {},
  provision: ProvisionDirectOptions = {},
): Promise<BenchHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  try {
    const secrets = await provisionDirect(dataDir, specs, provision);
    const hub = await startHubProcess(dataDir, { env });
    return {
      ...hub,
      dataDir,
      secrets,
      async stop() {
        await hub.child.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** True while a process with this pid exists. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * SIGKILL: the process dies at once, without closing anything (a crash, a power cut of its host).
 * Resolves once it is gone (at most `timeoutMs`).
 */
export async function killHard(child: Child, timeoutMs = 10_000): Promise<void> {
  if (!child.pid || !alive(child.pid)) return;
  process.kill(child.pid, 'SIGKILL');
  const deadline = performance.now() + timeoutMs;
  while (alive(child.pid) && performance.now() < deadline) await sleep(10);
  if (alive(child.pid)) throw new Error(`pid ${child.pid} still alive ${timeoutMs} ms after SIGKILL`);
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export async function stopChild(child: Child, graceMs = 15_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stopped = await Promise.race([
    child.stop().then(() => true),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (!stopped) await killHard(child);
}

/**
 * The sum of every sample of metric `name` on the hub's /metrics (Prometheus text), NaN when the hub has
 * no such metric (an older or newer hub) or does not answer.
 */
export async function hubMetric(httpUrl: string, name: string): Promise<number> {
  try {
    const res = await fetch(`${httpUrl}/metrics`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return Number.NaN;
    let sum = Number.NaN;
    for (const line of (await res.text()).split('\n')) {
      if (!line.startsWith(name) || (line[name.length] !== ' ' && line[name.length] !== '{')) continue;
      const value = Number(line.slice(line.lastIndexOf(' ') + 1));
      if (Number.isFinite(value)) sum = (Number.isNaN(sum) ? 0 : sum) + value;
    }
    return sum;
  } catch {
    return Number.NaN;
  }
}

export interface LoadProcess {
  /** resolves once every device is connected and the timed publishing started */
  publishing: Promise<void>;
  /** resolves with the run's result; rejects if the process exits without one */
  result: Promise<LoadResult>;
  kill(): void;
}

/**
 * runLoad in a client process of its own (bench/load-worker.ts): the benchmark's own event loop stays
 * free to time single messages. Bounded by runLoad's own bounds; `kill()` ends it early.
 */
export function startLoadProcess(opts: Omit<LoadOptions, 'onPublishing'>): LoadProcess {
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-load-'));
  const file = join(dir, 'load.json');
  writeFileSync(file, JSON.stringify(opts));
  const child = spawn(process.execPath, [join(import.meta.dirname, 'load-worker.ts'), file], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  killOnExit(child);
  let onPublishing: () => void = () => undefined;
  const publishing = new Promise<void>((r) => {
    onPublishing = r;
  });
  const result = new Promise<LoadResult>((resolve, reject) => {
    let buf = '';
    let answer: LoadResult | null = null;
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'publishing') onPublishing();
        else if (line.startsWith('result ')) answer = JSON.parse(line.slice(7)) as LoadResult;
      }
    });
    child.on('exit', (code, signal) => {
      rmSync(dir, { recursive: true, force: true });
      if (answer) resolve(answer);
      else reject(new Error(`load process exited ${code ?? signal} without a result`));
    });
  });
  result.catch(() => undefined);
  return {
    publishing,
    result,
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}
