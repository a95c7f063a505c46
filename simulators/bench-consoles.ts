// Benchmark of the consoles (issue 7): a hub in a child process with 500 open incidents and 200 dispatcher
// live sockets. Measures the SOS → incidentOpened fan-out to all 200 consoles, the REST queue load, and in
// Chromium the dispatcher page's time to show 500 rows and the cost of one countdown tick.
// Bounded: fixed counts, every wait has a deadline, everything on 127.0.0.1, all of it stopped at the end.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import WebSocket from 'ws';
import { systemClock } from '../kernel/clock.ts';
import { openDatabase } from '../kernel/db.ts';
import { createRegistry } from '../kernel/registry/index.ts';
import { generateSecret } from '../kernel/secrets.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';
import { HUB_MQTT_PORT, startChild } from './child-process.ts';
import { until } from './device.ts';
import { SimButton } from './device-types.ts';

const { values } = parseArgs({
  options: {
    incidents: { type: 'string', default: '500' },
    consoles: { type: 'string', default: '200' },
    samples: { type: 'string', default: '20' },
  },
});
const INCIDENTS = Math.min(2000, Number(values.incidents));
const CONSOLES = Math.min(1000, Number(values.consoles));
const SAMPLES = Math.min(100, Number(values.samples), INCIDENTS);
const PASSWORD = 'bench-password';
const CHROMIUM = '/usr/bin/chromium';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? Number.NaN;
};
const ms = (x: number) => x.toFixed(1);

// Provision households and call buttons straight in the registry (one shared secret, each device's own
// keyed hash), before the hub starts.
const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-consoles-'));
const db = openDatabase(dataDir, HUB_MIGRATIONS);
const registry = createRegistry(db, systemClock);
const secret = generateSecret();
const ids = Array.from({ length: INCIDENTS }, (_, i) => String(i).padStart(4, '0'));
await registry.transaction(async () => {
  for (const i of ids) {
    await registry.households.upsert({
      id: `hh-${i}`,
      address: `幸福路 ${i} 号`,
      grid: `grid-${Number(i) % 10}`,
    });
    await registry.devices.upsert(
      { id: `btn-${i}`, householdId: `hh-${i}`, type: 'button' },
      registry.devices.secrets.hash(`btn-${i}`, secret),
    );
  }
});
db.close();

const httpPort = await freePort();
const hub = await startChild(
  ['main.ts'],
  {
    HUB_DATA_DIR: dataDir,
    HUB_HOST: '127.0.0.1',
    HUB_MQTT_PORT: '0',
    HUB_HTTP_PORT: String(httpPort),
    HUB_LOG_LEVEL: 'error',
    HUB_ADMIN_PASSWORD: PASSWORD,
    // every simulated button and console connects from 127.0.0.1: lift the per-address limits for the run
    HUB_MQTT_CONNECTS_PER_MINUTE_PER_ADDRESS: '1000000',
  },
  HUB_MQTT_PORT,
);
const httpUrl = `http://127.0.0.1:${httpPort}`;
const mqttUrl = `mqtt://127.0.0.1:${hub.port}`;
const sockets: WebSocket[] = [];
const buttons: SimButton[] = [];
let browser: Awaited<ReturnType<typeof chromium.launch>> | null = null;

async function call(method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(`${httpUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return { text, json: JSON.parse(text) as unknown };
}

async function login(username: string, password: string): Promise<string> {
  const res = await fetch(`${httpUrl}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

/** In the page: the queue shows at least n rows. */
const rowsShown = (n: number) =>
  (
    globalThis as unknown as { document: { querySelectorAll(s: string): { length: number } } }
  ).document.querySelectorAll('#queue li').length >= n;

const rows: string[] = [];
try {
  const admin = await login('admin', PASSWORD);
  await call('POST', '/api/users', admin, {
    username: 'bench-dispatch',
    role: 'dispatcher',
    password: PASSWORD,
  });
  const token = await login('bench-dispatch', PASSWORD);

  // 200 dispatcher consoles on the live channel; each records when each household's incident reached it.
  const arrivals: Array<Map<string, number>> = [];
  const connectStarted = performance.now();
  await Promise.all(
    Array.from({ length: CONSOLES }, async () => {
      const seen = new Map<string, number>();
      arrivals.push(seen);
      const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/api/live`, {
        headers: { authorization: `Bearer ${token}` },
      });
      sockets.push(ws);
      ws.on('message', (data) => {
        const f = JSON.parse(String(data)) as {
          event?: string;
          data?: { incident?: { householdId: string } };
        };
        if (f.event === 'incidentOpened' && f.data?.incident)
          seen.set(f.data.incident.householdId, performance.now());
      });
      await new Promise<void>((resolve, reject) => {
        ws.once('message', () => resolve()); // the hello frame
        ws.once('error', reject);
        setTimeout(() => reject(new Error('live socket: no hello in 10 s')), 10_000);
      });
    }),
  );
  const connectMs = performance.now() - connectStarted;

  // Fan-out: one SOS at a time, from the publish to the incidentOpened frame on every console.
  for (const i of ids) buttons.push(new SimButton({ url: mqttUrl, id: `btn-${i}`, secret }));
  // 20 at a time, as before the fast keyed hash (each connect cost one scrypt then)
  for (let k = 0; k < buttons.length; k += 20)
    await Promise.all(buttons.slice(k, k + 20).map((b) => b.connect({ connectTimeout: 60_000 })));
  process.stderr.write(`${buttons.length} call buttons connected\n`);
  const latencies: number[] = [];
  const perSos: number[] = [];
  for (let k = 0; k < SAMPLES; k++) {
    const household = `hh-${ids[k]}`;
    const sent = performance.now();
    await buttons[k]?.sos();
    await until(() => arrivals.every((a) => a.has(household)), 5000, `incidentOpened of ${household} on all`);
    const times = arrivals.map((a) => (a.get(household) ?? Number.NaN) - sent);
    latencies.push(...times);
    perSos.push(Math.max(...times));
  }

  // The rest of the 500 open incidents, 50 SOS at a time.
  for (let k = SAMPLES; k < buttons.length; k += 50) {
    await Promise.all(buttons.slice(k, k + 50).map((b) => b.sos()));
  }
  const last = `hh-${ids[ids.length - 1]}`;
  await until(() => arrivals.every((a) => a.has(last)), 30_000, 'all incidents on all consoles');
  const queue = (await call('GET', '/api/incidents?active=true&limit=1000', token)).json as unknown[];

  // The REST queue load (the page's resync): 10 times.
  const loads: number[] = [];
  let bytes = 0;
  for (let k = 0; k < 10; k++) {
    const started = performance.now();
    bytes = (await call('GET', '/api/incidents?active=true&limit=1000', token)).text.length;
    loads.push(performance.now() - started);
  }

  // The dispatcher page in Chromium: from the page's URL to 500 rows, and the countdown tick.
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const context = await browser.newContext({ viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(`${httpUrl}/`);
  await page.fill('#username', 'bench-dispatch');
  await page.fill('#password', PASSWORD);
  await Promise.all([page.waitForURL((u) => u.pathname === '/dispatch/'), page.click('#login-submit')]);
  await page.waitForFunction(rowsShown, queue.length, { timeout: 30_000 });
  const pageLoads: number[] = [];
  for (let k = 0; k < 3; k++) {
    const started = performance.now();
    await page.reload();
    await page.waitForFunction(rowsShown, queue.length, { timeout: 30_000 });
    pageLoads.push(performance.now() - started);
  }
  // In the page, without a hook into it: the page's own queue module (import() answers the instance the
  // page loaded) builds a second queue of the same incidents in the pane, where the page's list was (that
  // one hidden meanwhile, so layout is not counted twice), and is timed there.
  const inPage = await page.evaluate(async () => {
    interface BenchQueue {
      tick(now: number): void;
      replaceAll(list: unknown[], now: number): void;
      apply(incident: unknown, at: number, now: number): string;
      incidents: Map<string, unknown>;
    }
    interface El {
      hidden: boolean;
      className: string;
      after(el: El): void;
    }
    const w = globalThis as unknown as {
      document: { getElementById(id: string): El; createElement(tag: string): El };
      requestAnimationFrame(fn: () => void): void;
    };
    const moduleUrl = '/dispatch/queue.js';
    const { Queue } = (await import(moduleUrl)) as {
      Queue: new (list: El, handlers: Record<string, unknown>) => BenchQueue;
    };
    const get = async (path: string) => (await fetch(path, { credentials: 'same-origin' })).json();
    const incidents = (await get('/api/incidents?active=true&limit=1000')) as Array<{
      updatedAt: number;
      state: string;
    }>;
    const households = (await get('/api/households')) as Array<{ id: string; address: string; grid: string }>;
    const places = new Map(households.map((hh) => [hh.id, { address: hh.address, grid: hh.grid }]));
    const own = w.document.getElementById('queue');
    const list = w.document.createElement('ol');
    list.className = own.className;
    own.after(list);
    own.hidden = true;
    const queue = new Queue(list, {
      onSelect: () => undefined,
      onAcknowledge: () => undefined,
      place: (householdId: string) => places.get(householdId) ?? null,
    });
    // the hub runs on this machine's clock (systemClock): the page's is the same
    const base = Date.now();
    const builds: number[] = [];
    for (let k = 0; k < 5; k++) {
      const started = performance.now();
      queue.replaceAll(incidents, base);
      builds.push(performance.now() - started);
    }
    // A tick one second later than the last: every row's text changes (the worst case; usually only the
    // seconds digit of each row). Measured as script time; the layout follows in the next frame.
    const ticks: number[] = [];
    for (let k = 1; k <= 30; k++) {
      const started = performance.now();
      queue.tick(base + k * 1000);
      ticks.push(performance.now() - started);
    }
    // One live event on a full queue: the row rebuilt and the queue re-sorted (a state change).
    const applies: number[] = [];
    for (let k = 0; k < 30; k++) {
      const i = incidents[(k * 17) % incidents.length] as { updatedAt: number; state: string };
      const changed = { ...i, state: 'acknowledged', updatedAt: i.updatedAt + 1 };
      const started = performance.now();
      queue.apply(changed, changed.updatedAt, base);
      applies.push(performance.now() - started);
    }
    // The same tick including style and layout: measured to the next animation frame.
    const framed = await new Promise<number[]>((resolve) => {
      const out: number[] = [];
      const later = base + 100_000;
      const step = (k: number) => {
        const started = performance.now();
        queue.tick(later + k * 1000);
        w.requestAnimationFrame(() => {
          out.push(performance.now() - started);
          if (k < 10) setTimeout(() => step(k + 1), 50);
          else resolve(out);
        });
      };
      step(1);
    });
    return { ticks, builds, applies, framed };
  });
  const framed = inPage.framed;

  const cpu = cpus();
  rows.push(
    `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}`,
    `Load: ${queue.length} open incidents (SOS from ${INCIDENTS} call buttons), ${CONSOLES} dispatcher live sockets`,
    '',
    '| measure | p50 | p99 | max |',
    '|---|---|---|---|',
    `| SOS publish → incidentOpened on each of ${CONSOLES} consoles, ms (${SAMPLES} SOS × ${CONSOLES}) | ${ms(quantile(latencies, 0.5))} | ${ms(quantile(latencies, 0.99))} | ${ms(Math.max(...latencies))} |`,
    `| SOS publish → on the last of ${CONSOLES} consoles, ms (per SOS) | ${ms(quantile(perSos, 0.5))} | ${ms(quantile(perSos, 0.99))} | ${ms(Math.max(...perSos))} |`,
    `| GET /api/incidents?active=true (${queue.length} incidents, ${(bytes / 1024).toFixed(0)} KiB), ms | ${ms(quantile(loads, 0.5))} | ${ms(quantile(loads, 0.99))} | ${ms(Math.max(...loads))} |`,
    `| dispatcher page: reload → ${queue.length} rows shown, ms | ${ms(quantile(pageLoads, 0.5))} | — | ${ms(Math.max(...pageLoads))} |`,
    `| queue: build ${queue.length} rows (script), ms | ${ms(quantile(inPage.builds, 0.5))} | — | ${ms(Math.max(...inPage.builds))} |`,
    `| queue: apply one live event (row rebuilt, queue re-sorted), ms | ${ms(quantile(inPage.applies, 0.5))} | ${ms(quantile(inPage.applies, 0.99))} | ${ms(Math.max(...inPage.applies))} |`,
    `| countdown tick, ${queue.length} rows all changing (script), ms | ${ms(quantile(inPage.ticks, 0.5))} | ${ms(quantile(inPage.ticks, 0.99))} | ${ms(Math.max(...inPage.ticks))} |`,
    `| countdown tick to the next frame (script + style + layout), ms | ${ms(quantile(framed, 0.5))} | — | ${ms(Math.max(...framed))} |`,
    '',
    `${CONSOLES} live sockets connected in ${ms(connectMs)} ms.`,
  );
  await context.close();
} finally {
  await browser?.close();
  for (const ws of sockets) ws.terminate();
  for (const b of buttons) await b.end().catch(() => undefined);
  await hub.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
process.stdout.write(`${rows.join('\n')}\n`);
