/**
 * Reconnect storm: a fleet of devices, each with its OWN secret, connected to the hub; the hub is killed
 * (SIGKILL: a crash or a power cut) and restarted on the same data directory and port, and every device
 * reconnects at once. Measures the seconds from the restart's listening until all are back (CONNACK 0 and
 * SUBACK of their command and error topics), and the same fleet against bare Aedes killed and restarted
 * the same way, in the same run. Usage (direct):
 *
 *   node simulators/bench/reconnect-storm.ts --devices 10000 [--per-process 5000] [--concurrency 500] [--max 300]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Child } from '../child-process.ts';
import { hubSecretHash, provisionDirect } from '../household/provision-direct.ts';
import { householdSpec } from '../household/spec.ts';
import { establishedOn } from './connections.ts';
import { killHard, killOnExit, startBenchChild, startHubProcess, stopChild } from './hub-child.ts';
import { listenOverflows, machineDescription, percentile, sleep } from './machine.ts';
import type { WorkerCommand, WorkerProgress } from './reconnect-worker.ts';

export interface ReconnectOptions {
  /** devices in the fleet (8 per household), each with its own secret */
  devices: number;
  /** devices per client process (a process holds at most its open-file limit of sockets) */
  perProcess: number;
  /** CONNECTs in flight at most, per client process */
  concurrency: number;
  /** seconds one round (the first connect, the storm) may take at most */
  maxS: number;
  /** the same fleet against bare Aedes too */
  bare: boolean;
}

export interface RoundResult {
  /** devices connected at the end of the round */
  back: number;
  failed: number;
  /** a client process had not finished when the round's time was up */
  timedOut: boolean;
  /** connect attempts that failed and were retried */
  retries: number;
  /** from the command (the restart's listening) to the last device back, s */
  seconds: number;
  /** from the command to half and 90 % of the fleet back, s */
  halfS: number;
  p90S: number;
  /** one device's CONNECT → SUBACK (its successful attempt), ms */
  connectP50Ms: number;
  connectP99Ms: number;
  connectMaxMs: number;
  /**
   * handshakes the kernel dropped during the round because the broker's accept queue was full
   * (TcpExtListenOverflows, machine-wide: other processes' listeners count too)
   */
  listenOverflows: number;
  lastError: string;
}

export interface StormResult {
  broker: string;
  devices: number;
  /** the fleet's first connect to a fresh start */
  initial: RoundResult;
  /** connections the devices saw drop when the broker was killed */
  dropped: number;
  /** from spawning the broker again to its listening, s */
  restartS: number;
  /** from the restart's listening until all are back */
  storm: RoundResult;
  devicesPerS: number;
  /** established connections on the broker's port (ss) 2 s after the storm */
  establishedAfter: number;
}

export interface ReconnectResult {
  /** scheme of the stored device hashes (hmac-sha256 when the hub has its keyed hash, else scrypt) */
  scheme: string;
  provisionS: number;
  processes: number;
  /** source addresses of the client processes, against the hub and against bare Aedes */
  addresses: string[];
  bareAddresses: string[];
  hub: StormResult;
  bare: StormResult | null;
}

export const RECONNECT_GOAL = { devices: 10_000, seconds: 30 };

const log = (s: string) => process.stderr.write(`[reconnect] ${s}\n`);

/** The client processes, each driving its slice of the fleet over IPC. */
class Fleet {
  readonly workers: ChildProcess[] = [];
  readonly latest: Array<WorkerProgress | null>;
  readonly done: Array<WorkerProgress | null>;
  /** when each process's `done` arrived (performance.now()) */
  readonly doneAt: number[];
  readonly size: number;

  constructor(files: string[], addresses: string[], concurrency: number, maxS: number, size: number) {
    this.size = size;
    this.latest = files.map(() => null);
    this.done = files.map(() => null);
    this.doneAt = files.map(() => 0);
    for (const [w, file] of files.entries()) {
      const child = spawn(
        process.execPath,
        [
          join(import.meta.dirname, 'reconnect-worker.ts'),
          file,
          addresses[w] ?? '127.0.0.1',
          String(concurrency),
          String(maxS),
        ],
        { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
      );
      killOnExit(child);
      child.on('message', (m: WorkerProgress) => {
        this.latest[w] = m;
        if (m.type !== 'done') return;
        this.done[w] = m;
        this.doneAt[w] = performance.now();
      });
      this.workers.push(child);
    }
  }

  get live(): number {
    return this.latest.reduce((n, p) => n + (p?.live ?? 0), 0);
  }

  send(m: WorkerCommand): void {
    for (const w of this.workers) if (w.connected) w.send(m);
  }

  /** Tells every process to connect its devices to `url` and waits for all (bounded: maxS + 15 s). */
  async round(url: string, maxS: number, label: string): Promise<RoundResult> {
    this.done.fill(null);
    const overflowsBefore = listenOverflows();
    const t0 = performance.now();
    this.send({ type: 'connect', url });
    const deadline = t0 + (maxS + 15) * 1000;
    let lastLog = t0;
    while (this.done.some((d) => d === null) && performance.now() < deadline) {
      await sleep(20);
      const dead = this.workers.findIndex((w, i) => this.done[i] === null && w.exitCode !== null);
      if (dead >= 0)
        throw new Error(`client process ${dead} exited ${this.workers[dead]?.exitCode} during ${label}`);
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        log(`${label}: ${this.live} of ${this.size} connected after ${((lastLog - t0) / 1000).toFixed(0)} s`);
      }
    }
    const done = this.done.filter((d): d is WorkerProgress => d !== null);
    const timedOut = done.length < this.done.length;
    const lastDone = timedOut ? performance.now() : Math.max(...this.doneAt);
    const latencies = done.flatMap((d) => d.latencies).sort((a, b) => a - b);
    const backAt = done.flatMap((d) => d.backAt).sort((a, b) => a - b);
    const atFraction = (f: number) =>
      (backAt[Math.max(0, Math.ceil(f * this.size) - 1)] ?? Number.NaN) / 1000;
    return {
      back: this.live,
      failed: this.latest.reduce((n, d) => n + (d?.failed ?? 0), 0),
      retries: this.latest.reduce((n, d) => n + (d?.retries ?? 0), 0),
      timedOut,
      seconds: (lastDone - t0) / 1000,
      halfS: atFraction(0.5),
      p90S: atFraction(0.9),
      connectP50Ms: percentile(latencies, 50),
      connectP99Ms: percentile(latencies, 99),
      connectMaxMs: latencies.at(-1) ?? Number.NaN,
      listenOverflows: listenOverflows() - overflowsBefore,
      lastError: done.map((d) => d.lastError).find((e) => e) ?? '',
    };
  }

  /** Waits until no device is connected any more (the broker was killed), at most `timeoutMs`. */
  async allDropped(timeoutMs: number): Promise<number> {
    const deadline = performance.now() + timeoutMs;
    // progress arrives every 500 ms: wait for a fresh one
    await sleep(600);
    while (this.live > 0 && performance.now() < deadline) await sleep(50);
    return this.latest.reduce((n, p) => n + (p?.dropped ?? 0), 0);
  }

  async stop(): Promise<void> {
    this.send({ type: 'stop' });
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            const timer = setTimeout(() => w.kill('SIGKILL'), 5000);
            w.on('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (!w.connected) w.kill('SIGTERM');
          }),
      ),
    );
  }
}

/**
 * One broker through the storm: start it, connect the fleet, SIGKILL it, start it again on the same
 * port (and data directory: `start` is given the port), and time the reconnect of the whole fleet.
 */
async function storm(
  broker: string,
  start: (port: number) => Promise<Child>,
  files: string[],
  addresses: string[],
  o: ReconnectOptions,
  size: number,
): Promise<StormResult> {
  let child: Child | null = null;
  const fleet = new Fleet(files, addresses, o.concurrency, o.maxS, size);
  try {
    child = await start(0);
    const port = child.port;
    const url = `mqtt://127.0.0.1:${port}`;
    log(`${broker}: ${size} devices connecting to ${url} …`);
    const initial = await fleet.round(url, o.maxS, `${broker}, first connect`);
    log(
      `${broker}: ${initial.back} connected in ${initial.seconds.toFixed(1)} s (${initial.failed} failed); SIGKILL`,
    );
    await sleep(2000);
    await killHard(child);
    const dropped = await fleet.allDropped(15_000);
    const spawned = performance.now();
    child = await start(port);
    const restartS = (performance.now() - spawned) / 1000;
    log(
      `${broker}: listening again after ${restartS.toFixed(1)} s; ${dropped} dropped, all reconnect at once`,
    );
    const result = await fleet.round(url, o.maxS, `${broker}, storm`);
    log(`${broker}: ${result.back} back in ${result.seconds.toFixed(1)} s (${result.failed} failed)`);
    await sleep(2000);
    return {
      broker,
      devices: size,
      initial,
      dropped,
      restartS,
      storm: result,
      devicesPerS: result.back / result.seconds,
      establishedAfter: establishedOn(port),
    };
  } finally {
    await fleet.stop();
    if (child) await stopChild(child);
  }
}

export async function benchReconnectStorm(o: ReconnectOptions): Promise<ReconnectResult> {
  const specs = Array.from({ length: Math.ceil(o.devices / 8) }, (_, i) =>
    householdSpec(i + 1, { prefix: 'R' }),
  );
  const ids = new Set(
    specs
      .flatMap((s) => [s.button, s.wristband, ...Object.values(s.motion), s.leak, s.meter])
      .slice(0, o.devices),
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-reconnect-'));
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-reconnect-ids-'));
  try {
    const t0 = performance.now();
    let scheme = '';
    const secrets = await provisionDirect(dataDir, specs, {
      hashFor: async (id, secret, registry) => {
        const stored = await hubSecretHash(id, secret, registry);
        scheme ||= stored.split('$')[0] ?? '';
        return stored;
      },
    });
    const provisionS = (performance.now() - t0) / 1000;
    log(`${ids.size} devices provisioned with their own secrets (${scheme}) in ${provisionS.toFixed(1)} s`);
    const devices = [...ids].map((id) => ({ id, secret: secrets.get(id) ?? '' }));
    const processes = Math.ceil(devices.length / o.perProcess);
    // Each broker's fleet from source addresses of its own: the sockets the first fleet closed linger in
    // TIME_WAIT on its addresses, and a source address with thousands of them connects more slowly.
    const addresses = Array.from({ length: processes }, (_, i) => `127.0.0.${i + 2}`);
    const bareAddresses = Array.from({ length: processes }, (_, i) => `127.0.0.${processes + i + 2}`);
    const files = Array.from({ length: processes }, (_, w) => {
      const file = join(dir, `devices-${w}.json`);
      writeFileSync(
        file,
        JSON.stringify({ devices: devices.slice(w * o.perProcess, (w + 1) * o.perProcess) }),
      );
      return file;
    });
    const hub = await storm(
      'hub',
      async (port) =>
        (
          await startHubProcess(dataDir, {
            mqttPort: port,
            env: { HUB_MQTT_CONNECTS_PER_MINUTE_PER_CLIENT: '1000' },
          })
        ).child,
      files,
      addresses,
      o,
      devices.length,
    );
    const bare = o.bare
      ? await storm(
          'bare Aedes',
          (port) => startBenchChild(['simulators/bare-aedes.ts', String(port)], {}, /listening (\d+)/),
          files,
          bareAddresses,
          o,
          devices.length,
        )
      : null;
    return { scheme, provisionS, processes, addresses, bareAddresses, hub, bare };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  }
}

const n = (x: number) => Math.round(x).toLocaleString('en-US');

/** The summary row and the section of the suite's report, and the goal's verdict. */
export function reconnectReport(
  o: ReconnectOptions,
  r: ReconnectResult,
): { summary: string; section: string[] } {
  const h = r.hub;
  const all = h.storm.back === h.devices;
  const judged = h.devices >= RECONNECT_GOAL.devices;
  const met = judged && all && h.storm.seconds <= RECONNECT_GOAL.seconds;
  const verdict = judged ? (met ? 'met' : 'not met') : `— (${n(h.devices)} devices)`;
  const bareText = r.bare
    ? `; bare Aedes ${r.bare.storm.seconds.toFixed(1)} s, ${n(r.bare.devicesPerS)}/s`
    : '';
  const summary = `| reconnect storm after SIGKILL and restart, ${n(h.devices)} devices with their own secrets (${r.scheme}), restart's listening → all back | ${n(h.storm.back)} back in ${h.storm.seconds.toFixed(1)} s, ${n(h.devicesPerS)} devices/s${bareText} | ${n(RECONNECT_GOAL.devices)} back in ≤ ${RECONNECT_GOAL.seconds} s | ${verdict} |`;
  const row = (s: StormResult) =>
    `| ${s.broker} | ${n(s.initial.back)} in ${s.initial.seconds.toFixed(1)} s | ${n(s.dropped)} | ${s.restartS.toFixed(1)} | ${n(s.storm.back)} | ${s.storm.failed} | ${s.storm.retries} | ${s.storm.halfS.toFixed(1)} / ${s.storm.p90S.toFixed(1)} / ${s.storm.seconds.toFixed(1)} | ${n(s.devicesPerS)} | ${s.storm.connectP50Ms.toFixed(0)} / ${s.storm.connectP99Ms.toFixed(0)} / ${s.storm.connectMaxMs.toFixed(0)} | ${n(s.initial.listenOverflows)} / ${n(s.storm.listenOverflows)} | ${n(s.establishedAfter)} |`;
  const errors = [h, r.bare]
    .filter((s): s is StormResult => s !== null)
    .flatMap((s) =>
      [s.initial.lastError, s.storm.lastError].filter((e) => e).map((e) => `${s.broker}: ${e}`),
    );
  const section = [
    '### Reconnect storm after a crash',
    '',
    `${n(h.devices)} devices (8 per household) provisioned straight into the store, each with its own secret (stored as ${r.scheme}, ${r.provisionS.toFixed(1)} s), connected by ${r.processes} client processes from ${r.addresses.join(', ')} (bare Aedes: ${r.bareAddresses.join(', ')}), at most ${o.concurrency} CONNECTs in flight each; each device subscribes to its command and error topics. The broker is killed with SIGKILL, started again on the same data directory and port, and every device reconnects at once when it listens (a failed connect retried after 100 ms … 2 s). "Back" = CONNACK 0 and SUBACK.`,
    '',
    '| broker | first connect | dropped at SIGKILL | restart → listening s | back | failed | retries | listening → 50 % / 90 % / all back s | devices/s | CONNECT → SUBACK p50 / p99 / max ms | accept-queue overflows (first connect / storm) | established after (ss) |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    row(h),
    ...(r.bare ? [row(r.bare)] : []),
    '',
    "Accept-queue overflows: handshakes the kernel dropped because the listener's accept queue was full while the broker was busy (bare Aedes listens with Node's default backlog of 511, the hub with 4096) (TcpExtListenOverflows, machine-wide); the client's TCP retries each after 1, 3, 7, 15, 31 s, which is the long CONNECT → SUBACK tail.",
    '',
    `Goal: ${n(RECONNECT_GOAL.devices)} devices back in ≤ ${RECONNECT_GOAL.seconds} s: ${verdict}${all ? '' : ` (${n(h.devices - h.storm.back)} not back)`}.`,
    ...(errors.length > 0 ? ['', ...errors.map((e) => `Last error, ${e}`)] : []),
    '',
  ];
  return { summary, section };
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      devices: { type: 'string', default: '10000' },
      'per-process': { type: 'string', default: '5000' },
      concurrency: { type: 'string', default: '500' },
      max: { type: 'string', default: '300' },
      'no-bare': { type: 'boolean', default: false },
    },
  });
  const clamp = (v: string | undefined, min: number, max: number) => Math.max(min, Math.min(max, Number(v)));
  const o: ReconnectOptions = {
    devices: clamp(values.devices, 1, 60_000),
    perProcess: clamp(values['per-process'], 1, 5000),
    concurrency: clamp(values.concurrency, 1, 5000),
    maxS: clamp(values.max, 10, 3600),
    bare: !values['no-bare'],
  };
  const r = await benchReconnectStorm(o);
  const { summary, section } = reconnectReport(o, r);
  process.stdout.write(
    `${[`Machine: ${machineDescription()}`, '', '| measure | result | goal | |', '|---|---|---|---|', summary, '', ...section].join('\n')}\n`,
  );
}
