/**
 * One process of the connection benchmark: opens MQTT connections for the device ids in a JSON file
 * (`{"ids":[…]}`), from one loopback source address, at a paced rate, and holds them until SIGTERM.
 * A process may hold at most its open-file limit of sockets, so the benchmark spreads the devices over
 * several. Prints `progress <connected> <failed>` twice a second and `ramped <connected> <failed>` once.
 * Usage: node conn-worker.ts <url> <ids.json> <localAddress> <connects per s>   (secret in BENCH_SECRET)
 */
import { readFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import { topics } from '../../kernel/contract.ts';
import { connectFrom } from '../household/connect-from.ts';

const [url = '', file = '', localAddress = '127.0.0.1', rateArg = '250'] = process.argv.slice(2);
const ids = (JSON.parse(readFileSync(file, 'utf8')) as { ids: string[] }).ids;
const secret = process.env.BENCH_SECRET ?? '';
const rate = Math.max(1, Number(rateArg));
const clients: MqttClient[] = [];
let connected = 0;
let failed = 0;
let lastError = '';
const report = setInterval(() => process.stdout.write(`progress ${connected} ${failed}\n`), 500);

process.on('SIGTERM', () => {
  clearInterval(report);
  for (const c of clients) c.end(true);
  process.exit(0);
});

const start = performance.now();
const inflight = new Set<Promise<void>>();
for (const [i, id] of ids.entries()) {
  const wait = start + (i / rate) * 1000 - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  const p = connectFrom(
    url,
    { clientId: id, username: id, password: secret, keepalive: 900, connectTimeout: 60_000 },
    localAddress,
  )
    .then(async (client) => {
      client.on('error', () => undefined);
      clients.push(client);
      // a device subscribes to its command and error topics (realistic broker state per connection)
      await client.subscribeAsync([topics.device(id, 'command'), topics.device(id, 'error')], { qos: 1 });
      connected++;
    })
    .catch((err: unknown) => {
      failed++;
      lastError = String(err);
    })
    .finally(() => inflight.delete(p));
  inflight.add(p);
  if (inflight.size >= 100) await Promise.race(inflight);
}
await Promise.all(inflight);
process.stdout.write(`ramped ${connected} ${failed} ${lastError}\n`);
