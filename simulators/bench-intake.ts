import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../kernel/clock.ts';
import { openDatabase } from '../kernel/db.ts';
import { createRegistry } from '../kernel/registry/index.ts';
import { generateSecret, hashSecret } from '../kernel/secrets.ts';
import { HUB_MQTT_PORT, startChild } from './child-process.ts';
import { type LoadResult, runLoad } from './load-client.ts';

const { values } = parseArgs({
  options: {
    devices: { type: 'string', default: '100' },
    duration: { type: 'string', default: '10' },
    rate: { type: 'string', default: '2000' },
    window: { type: 'string', default: '4' },
  },
});
const devices = Math.min(5000, Number(values.devices));
const durationS = Math.min(120, Number(values.duration));
const rate = Number(values.rate);
const window = Number(values.window);

const row = (name: string, r: LoadResult) =>
  `| ${name} | ${r.perSecond.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${r.acked} | ${r.errors} |`;

const ids = Array.from({ length: devices }, (_, i) => `bench-${i}`);

// Peer: bare Aedes.
const bare = await startChild(['simulators/bare-aedes.ts'], {}, /listening (\d+)/);
const bareMax = await runLoad({
  url: `mqtt://127.0.0.1:${bare.port}`,
  devices: ids.map((id) => ({ id })),
  durationS,
  rate: 0,
  window,
});
const bareRate = await runLoad({
  url: `mqtt://127.0.0.1:${bare.port}`,
  devices: ids.map((id) => ({ id })),
  durationS,
  rate,
  window,
});
await bare.stop();

// The hub, with its devices provisioned.
const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-'));
const db = openDatabase(dataDir);
const registry = createRegistry(db, systemClock);
registry.households.upsert({ id: 'hh-bench', address: 'bench', grid: 'g' });
const secret = generateSecret();
const hash = await hashSecret(secret);
for (const id of ids) registry.devices.upsert({ id, householdId: 'hh-bench', type: 'motion' }, hash);
db.close();
const hub = await startChild(
  ['main.ts'],
  {
    HUB_DATA_DIR: dataDir,
    HUB_MQTT_PORT: '0',
    HUB_HTTP_PORT: '0',
    HUB_LOG_LEVEL: 'error',
    HUB_ADMIN_PASSWORD: 'bench-password',
    // every simulated device connects from 127.0.0.1: lift the per-address connect limit for the run
    HUB_MQTT_CONNECTS_PER_MINUTE_PER_ADDRESS: '1000000',
  },
  HUB_MQTT_PORT,
);
const hubDevices = ids.map((id) => ({ id, secret }));
const hubMax = await runLoad({
  url: `mqtt://127.0.0.1:${hub.port}`,
  devices: hubDevices,
  durationS,
  rate: 0,
  window,
});
const hubRate = await runLoad({
  url: `mqtt://127.0.0.1:${hub.port}`,
  devices: hubDevices,
  durationS,
  rate,
  window,
});
await hub.stop();
rmSync(dataDir, { recursive: true, force: true });

const cpu = cpus();
const lines = [
  `Machine: ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node.js ${process.version}`,
  `Load: ${devices} devices, QoS 1 events and telemetry alternating, ${durationS} s per run, window ${window} per device`,
  '',
  '| run | acked msg/s | PUBACK p50 ms | PUBACK p99 ms | acked | errors |',
  '|---|---|---|---|---|---|',
  row('bare Aedes, saturated', bareMax),
  row('hub durable intake, saturated', hubMax),
  row(`bare Aedes, ${rate} msg/s`, bareRate),
  row(`hub durable intake, ${rate} msg/s`, hubRate),
  '',
  `Ratio hub / bare Aedes (saturated): ${(hubMax.perSecond / bareMax.perSecond).toFixed(2)}`,
];
process.stdout.write(`${lines.join('\n')}\n`);
