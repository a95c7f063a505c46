import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { householdSpec } from '../household/spec.ts';
import { startBenchHub } from './hub-child.ts';
import { rssKiB, sleep } from './machine.ts';

export interface ConnectionsOptions {
  /** connections to open */
  target: number;
  /** connects per second, all processes together */
  rampPerS: number;
  /** devices per client process (each holds at most its open-file limit of sockets) */
  perProcess: number;
  /** seconds the connections are held before counting again */
  holdS: number;
  /** seconds the ramp may take at most (a fresh device costs the hub one scrypt verification) */
  maxRampS: number;
}

export interface ConnectionsResult {
  target: number;
  processes: number;
  addresses: string[];
  /** what the client processes counted as connected (CONNACK 0 and SUBACK) */
  clientsConnected: number;
  clientsFailed: number;
  /** established connections on the hub's MQTT port after the ramp and after holding */
  hubConnected: number;
  hubConnectedAfterHold: number;
  rampS: number;
  rssIdleMiB: number;
  rssLoadedMiB: number;
  kibPerConnection: number;
  lastError: string;
}

/**
 * Established TCP connections on the hub's MQTT port, counted by the kernel (`ss`): at its open-file
 * limit the hub cannot even accept the HTTP request for /metrics, so the count does not ask the hub.
 */
export function establishedOn(port: number): number {
  try {
    const out = execFileSync('ss', ['-Htn', 'state', 'established', `( sport = :${port} )`], {
      encoding: 'utf8',
    });
    return out.split('\n').filter((l) => l.trim()).length;
  } catch {
    return Number.NaN;
  }
}

/**
 * The most concurrent device connections one hub process holds, and its memory per connection: devices
 * provisioned straight into the store (8 per household, one shared secret), connected by several client
 * processes from several 127.0.0.x source addresses at a paced rate, each subscribing to its command and
 * error topics; the hub's resident memory before and after.
 */
export async function benchConnections(o: ConnectionsOptions): Promise<ConnectionsResult> {
  const specs = Array.from({ length: Math.ceil(o.target / 8) }, (_, i) =>
    householdSpec(i + 1, { prefix: 'C' }),
  );
  const ids = specs
    .flatMap((s) => [s.button, s.wristband, ...Object.values(s.motion), s.leak, s.meter])
    .slice(0, o.target);
  const hub = await startBenchHub(specs, { HUB_MQTT_CONNECTS_PER_MINUTE_PER_CLIENT: '1000' });
  const dir = mkdtempSync(join(tmpdir(), 'hub-bench-conn-'));
  const workers: Array<ReturnType<typeof spawn>> = [];
  try {
    await sleep(2000);
    const rssIdle = rssKiB(hub.child.pid);
    const processes = Math.ceil(ids.length / o.perProcess);
    const addresses = Array.from({ length: processes }, (_, i) => `127.0.0.${i + 2}`);
    const state = Array.from({ length: processes }, () => ({
      connected: 0,
      failed: 0,
      ramped: false,
      error: '',
    }));
    const rampStart = performance.now();
    for (let w = 0; w < processes; w++) {
      const file = join(dir, `ids-${w}.json`);
      writeFileSync(file, JSON.stringify({ ids: ids.slice(w * o.perProcess, (w + 1) * o.perProcess) }));
      const child = spawn(
        process.execPath,
        [
          join(import.meta.dirname, 'conn-worker.ts'),
          hub.mqttUrl,
          file,
          addresses[w] as string,
          String(Math.max(1, Math.floor(o.rampPerS / processes))),
        ],
        {
          env: { ...process.env, BENCH_SECRET: hub.secrets.get(ids[0] ?? '') ?? '' },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      workers.push(child);
      let buf = '';
      child.stdout?.on('data', (c: Buffer) => {
        buf += c.toString();
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        const s = state[w];
        if (!s) return;
        for (const line of lines) {
          const [kind, n, f, ...err] = line.split(' ');
          if (kind !== 'progress' && kind !== 'ramped') continue;
          s.connected = Number(n);
          s.failed = Number(f);
          if (kind === 'ramped') {
            s.ramped = true;
            s.error = err.join(' ');
          }
        }
      });
    }
    const rampDeadline = rampStart + o.maxRampS * 1000;
    let lastLog = 0;
    while (!state.every((s) => s.ramped) && performance.now() < rampDeadline) {
      await sleep(250);
      if (performance.now() - lastLog > 5000) {
        lastLog = performance.now();
        const c = state.reduce((n, s) => n + s.connected, 0);
        const f = state.reduce((n, s) => n + s.failed, 0);
        process.stderr.write(`connections: ${c} connected, ${f} failed of ${ids.length}\n`);
      }
    }
    const rampS = (performance.now() - rampStart) / 1000;
    await sleep(2000);
    const hubConnected = establishedOn(hub.child.port);
    const rssLoaded = rssKiB(hub.child.pid);
    await sleep(o.holdS * 1000);
    const hubConnectedAfterHold = establishedOn(hub.child.port);
    const clientsConnected = state.reduce((n, s) => n + s.connected, 0);
    return {
      target: ids.length,
      processes,
      addresses,
      clientsConnected,
      clientsFailed: state.reduce((n, s) => n + s.failed, 0),
      hubConnected,
      hubConnectedAfterHold,
      rampS,
      rssIdleMiB: rssIdle / 1024,
      rssLoadedMiB: rssLoaded / 1024,
      kibPerConnection: (rssLoaded - rssIdle) / Math.max(1, hubConnected || clientsConnected),
      lastError: state.map((s) => s.error).find((e) => e) ?? '',
    };
  } finally {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.exitCode !== null || w.signalCode !== null) return resolve();
            w.on('exit', () => resolve());
            w.kill('SIGTERM');
          }),
      ),
    );
    await hub.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
