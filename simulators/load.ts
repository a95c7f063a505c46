/**
 * The load generator: `npm run load -- --households N --duration S [--speed K] [--ramp R] [--addresses A]`.
 * Without --url it starts a hub of its own (main.ts, a child process, temporary data directory) with the
 * households provisioned straight into its store (one shared device secret: see provision-direct.ts);
 * with --url/--http it provisions them in a running hub through POST /api/import (each device its own
 * secret; needs the admin password) and drives that hub. Prints a progress line every second and a
 * summary; --json adds the summary as one JSON line.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type Child, HUB_MQTT_PORT, startChild } from './child-process.ts';
import { hubApi, login } from './household/hub-api.ts';
import { provisionHouseholds } from './household/provision.ts';
import { provisionDirect } from './household/provision-direct.ts';
import { householdSpec } from './household/spec.ts';
import { householdRate, runTraffic, type TrafficProgress } from './household/traffic.ts';

const { values } = parseArgs({
  options: {
    households: { type: 'string', default: '100' },
    duration: { type: 'string', default: '30' },
    speed: { type: 'string', default: '1' },
    ramp: { type: 'string', default: '500' },
    addresses: { type: 'string', default: '1' },
    url: { type: 'string' },
    http: { type: 'string' },
    'admin-password': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const clamp = (v: string | undefined, min: number, max: number) => Math.max(min, Math.min(max, Number(v)));
const households = clamp(values.households, 1, 20_000);
const durationS = clamp(values.duration, 1, 3600);
const speed = clamp(values.speed, 0.01, 100_000);
const rampPerS = clamp(values.ramp, 1, 20_000);
/** 127.0.0.1 … 127.0.0.A as source addresses (loopback only) */
const localAddresses = Array.from({ length: clamp(values.addresses, 1, 250) }, (_, i) => `127.0.0.${i + 1}`);

const specs = Array.from({ length: households }, (_, i) => householdSpec(i + 1, { prefix: 'L' }));
let hub: Child | null = null;
let dataDir: string | null = null;
let url = values.url;
try {
  let secrets: Map<string, string>;
  if (url) {
    const httpUrl = values.http;
    const password = values['admin-password'] ?? process.env.HUB_ADMIN_PASSWORD;
    if (!httpUrl || !password)
      throw new Error('--url needs --http and --admin-password (or HUB_ADMIN_PASSWORD)');
    const api = hubApi(httpUrl, await login(httpUrl, 'admin', password));
    secrets = new Map();
    for (let i = 0; i < specs.length; i += 50) {
      for (const [id, s] of await provisionHouseholds(api, specs.slice(i, i + 50))) secrets.set(id, s);
      process.stderr.write(`provisioned ${Math.min(i + 50, specs.length)}/${specs.length} households\n`);
    }
    if (secrets.size === 0)
      throw new Error('the households were provisioned before and their secrets are gone: use a fresh hub');
  } else {
    dataDir = mkdtempSync(join(tmpdir(), 'hub-load-'));
    secrets = await provisionDirect(dataDir, specs);
    hub = await startChild(
      ['main.ts'],
      {
        HUB_DATA_DIR: dataDir,
        HUB_MQTT_PORT: '0',
        HUB_HTTP_PORT: '0',
        HUB_LOG_LEVEL: 'error',
        HUB_ADMIN_PASSWORD: 'load-admin-password',
        // every simulated device connects from a few loopback addresses: lift the per-address limit
        HUB_MQTT_CONNECTS_PER_MINUTE_PER_ADDRESS: '1000000',
      },
      HUB_MQTT_PORT,
    );
    url = `mqtt://127.0.0.1:${hub.port}`;
  }

  const tty = process.stderr.isTTY;
  const line = (p: TrafficProgress) =>
    `${p.phase.padEnd(7)} ${p.elapsedS.toFixed(0).padStart(4)} s  connected ${p.connected}/${p.devices}` +
    `  sent ${p.sent}  acked ${p.acked}  errors ${p.errors + p.connectErrors}`;
  const s = await runTraffic({
    url,
    specs,
    secrets,
    durationS,
    speed,
    rampPerS,
    localAddresses,
    onProgress: (p) => process.stderr.write(tty ? `\r${line(p)}   ` : `${line(p)}\n`),
  });
  if (tty) process.stderr.write('\n');

  const lines = [
    `Load: ${households} households (${s.devices} devices) on ${url}, speed ${speed} (≈ ${(households * householdRate() * speed).toFixed(1)} msg/s offered), ramp ${rampPerS}/s, ${durationS} s of traffic`,
    `connected     ${s.connected} of ${s.devices} (connect errors ${s.connectErrors})`,
    `messages      sent ${s.sent}, acknowledged ${s.acked}, errors ${s.errors}, unanswered ${s.sent - s.acked - s.errors}`,
    `traffic       ${s.ackedPerS.toFixed(1)} msg/s acknowledged over ${s.trafficS.toFixed(1)} s; PUBACK p50 ${s.p50Ms.toFixed(2)} ms, p99 ${s.p99Ms.toFixed(2)} ms`,
    `by type       ${Object.entries(s.byType)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(s)}\n`);
  if (s.connected < s.devices || s.errors > 0) process.exitCode = 1;
} finally {
  await hub?.stop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}
