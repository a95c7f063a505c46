import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** ms influxd gets to answer /ping after it is spawned. */
const START_TIMEOUT_MS = 15_000;
/** ms influxd gets to exit after SIGTERM before SIGKILL. */
const STOP_TIMEOUT_MS = 5_000;

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export interface Influxd {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  /** Starts influxd again on the same ports and data directory (after stop). */
  start(): Promise<void>;
  /** Stops influxd (SIGTERM, SIGKILL after 5 s) and waits for its exit; the data stays. */
  stop(): Promise<void>;
  /** Runs InfluxQL on /query (POST, so statements that write work too); returns the series of statement 0. */
  query(q: string, db?: string): Promise<InfluxSeries[]>;
  /** Rows of a query as objects keyed by column, series tags merged in. */
  rows(q: string, db?: string): Promise<Array<Record<string, unknown>>>;
  /** Writes raw line protocol with /write (precision ns). */
  writeLines(db: string, lines: string): Promise<void>;
  /** Stops influxd and removes its temporary directory. */
  destroy(): Promise<void>;
  output(): string;
}

/**
 * Path of Debian's influxd; a missing program fails loudly (never a skip). The same rule as
 * tests/helpers/tools.ts requireTool, kept here so the benchmark does not import test helpers.
 */
function influxdBinary(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v influxd'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error("influxd is not installed: install Debian's influxdb (apt-get install influxdb)");
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function configFile(dir: string, rpcPort: number, httpPort: number): string {
  return `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"

[meta]
  dir = "${join(dir, 'meta')}"
  logging-enabled = false

[data]
  dir = "${join(dir, 'data')}"
  wal-dir = "${join(dir, 'wal')}"
  query-log-enabled = false

[monitor]
  store-enabled = false

[subscriber]
  enabled = false

[http]
  bind-address = "127.0.0.1:${httpPort}"
  log-enabled = false
  pprof-enabled = false

[logging]
  level = "warn"
`;
}

/**
 * Shared by the tests (tests/influx-*.test.ts) and the benchmark (simulators/bench-ingest.ts).
 * Starts a real InfluxDB 1.x server (Debian's influxd) on free 127.0.0.1 ports with a temporary
 * directory; resolves once /ping answers. Creates `databases` before resolving.
 */
export async function startInfluxd(databases: string[] = []): Promise<Influxd> {
  const binary = influxdBinary();
  const dir = mkdtempSync(join(tmpdir(), 'influxd-test-'));
  const httpPort = await freePort();
  const rpcPort = await freePort();
  const config = join(dir, 'influxdb.conf');
  writeFileSync(config, configFile(dir, rpcPort, httpPort));
  const url = `http://127.0.0.1:${httpPort}`;
  let child: ChildProcess | null = null;
  let out = '';

  const ping = async () => {
    try {
      return (await fetch(`${url}/ping`)).status === 204;
    } catch {
      return false;
    }
  };

  const start = async () => {
    if (child) return;
    const proc = spawn(binary, ['-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    proc.stdout?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    proc.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    let exited = false;
    proc.once('exit', () => {
      exited = true;
      if (child === proc) child = null;
    });
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!(await ping())) {
      if (exited) throw new Error(`influxd exited during start:\n${out.slice(-2000)}`);
      if (Date.now() > deadline)
        throw new Error(`influxd did not answer /ping in 15 s:\n${out.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const stop = async () => {
    const proc = child;
    if (!proc) return;
    await new Promise<void>((resolve) => {
      const killer = setTimeout(() => proc.kill('SIGKILL'), STOP_TIMEOUT_MS);
      proc.once('exit', () => {
        clearTimeout(killer);
        resolve();
      });
      proc.kill('SIGTERM');
    });
    child = null;
  };

  const query = async (q: string, db?: string): Promise<InfluxSeries[]> => {
    // epoch=ms: ns timestamps do not fit a JS number (2^53).
    const body = new URLSearchParams({ q, epoch: 'ms', ...(db ? { db } : {}) });
    const res = await fetch(`${url}/query`, { method: 'POST', body });
    const json = (await res.json()) as {
      results?: Array<{ series?: InfluxSeries[]; error?: string }>;
      error?: string;
    };
    const first = json.results?.[0];
    if (!res.ok || json.error || first?.error) throw new Error(`query ${q}: ${json.error ?? first?.error}`);
    return first?.series ?? [];
  };

  const handle: Influxd = {
    url,
    start,
    stop,
    query,
    async rows(q, db) {
      return (await query(q, db)).flatMap((s) =>
        s.values.map((v) => ({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) })),
      );
    },
    async writeLines(db, lines) {
      const res = await fetch(`${url}/write?db=${encodeURIComponent(db)}&precision=ns`, {
        method: 'POST',
        body: lines,
      });
      if (res.status !== 204) throw new Error(`write: ${res.status} ${await res.text()}`);
    },
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
    output: () => out,
  };
  try {
    await start();
    for (const db of databases) await query(`CREATE DATABASE "${db}"`);
  } catch (err) {
    await handle.destroy();
    throw err;
  }
  return handle;
}
