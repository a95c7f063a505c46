import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimButton } from '../simulators/device-types.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

/** A seeded generator (mulberry32): the same inputs every run, so a failure can be replayed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  '',
  ' ',
  '0',
  '-1',
  '1e400',
  'Infinity',
  'NaN',
  '9007199254740993',
  'null',
  'true',
  '[]',
  '{}',
  '%00',
  '\u0000',
  '../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '\u202eevil',
  'x'.repeat(5000),
  '😀',
  '__proto__',
  'constructor',
];

interface Operation {
  parameters?: Array<{ in: string; name: string }>;
  requestBody?: unknown;
}

describe('fuzz: generated bad input at every route and at the MQTT listener', () => {
  let t: TestHub;
  let token = '';
  beforeAll(async () => {
    t = await startTestHub();
    token = await t.login();
  });
  afterAll(() => t.stop());

  it('answers no 5xx, no stack or SQL, never crashes, and an SOS meanwhile is acknowledged', async () => {
    const random = rng(20261203);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
    const value = (): unknown => {
      const r = random();
      if (r < 0.4) return pick(NASTY);
      if (r < 0.55) return Math.floor(random() * 2 ** 40) * (random() < 0.5 ? -1 : 1);
      if (r < 0.65) return random() < 0.5;
      if (r < 0.75) return null;
      if (r < 0.85) return [value(), value()];
      return { [pick(NASTY)]: value(), id: pick(NASTY) };
    };
    const doc = (await (await fetch(`${t.httpUrl}/api/docs/json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
    );
    const secret = await t.provisionDevice({ id: 'btn-fuzz', type: 'button', householdId: 'hh-fuzz' });
    const button = await new SimButton({ url: t.mqttUrl, id: 'btn-fuzz', secret }).connect();

    const failures: string[] = [];
    const REQUESTS = 1500;
    let sosAcked = false;
    for (let i = 0; i < REQUESTS; i++) {
      const { path, method, op } = pick(routes);
      const url = path.replace(/\{[^}]+\}/g, () => encodeURIComponent(String(pick(NASTY))));
      const query = (op.parameters ?? [])
        .filter((p) => p.in === 'query')
        .map((p) => `${p.name}=${encodeURIComponent(String(value()))}`)
        .join('&');
      const withBody = method !== 'GET' && method !== 'DELETE';
      const kind = random();
      const res = await fetch(`${t.httpUrl}${url}${query ? `?${query}` : ''}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(withBody
            ? { 'content-type': kind < 0.8 ? 'application/json' : pick(['text/csv', 'text/plain']) }
            : {}),
        },
        body: withBody ? (kind < 0.6 ? JSON.stringify(value()) : String(pick(NASTY))) : undefined,
      });
      const text = await res.text();
      if (res.status >= 500 || /at .*\.ts:\d+|SQLITE|sqlite|SELECT |INSERT /.test(text))
        failures.push(`${method} ${url}?${query} → ${res.status} ${text.slice(0, 200)}`);
      // the logged-in admin's own session must survive the fuzzing of /api/auth/logout
      if (res.status === 401 && path !== '/api/auth/login') token = await t.login();
      if (i === REQUESTS / 2)
        button.sos().then(() => {
          sosAcked = true;
        });
    }

    // Raw MQTT: random bytes and truncated packets, each on its own connection.
    for (let i = 0; i < 300; i++) {
      const bytes = Buffer.from(
        Array.from({ length: 1 + Math.floor(random() * 64) }, () => Math.floor(random() * 256)),
      );
      await new Promise<void>((resolve) => {
        const socket = connect(t.hub.broker.ports().mqtt, '127.0.0.1', () => socket.end(bytes));
        socket.on('error', () => resolve());
        socket.on('close', () => resolve());
        socket.setTimeout(2000, () => socket.destroy());
      });
    }
    await expect.poll(() => sosAcked, { timeout: 5000 }).toBe(true);
    expect(failures).toEqual([]);
    // still alive and answering
    expect((await fetch(`${t.httpUrl}/healthz`)).status).toBe(200);
    await button.end();
  }, 180_000);
});
