/**
 * One client process of the reconnect storm (reconnect-storm.ts): holds the MQTT connections of the
 * devices in a JSON file (`{"devices":[{"id","secret"}]}`, at most ~5,000: a process holds at most its
 * open-file limit of sockets), all from one loopback source address. Driven over the IPC channel:
 *
 * - `{type:'connect', url}`: connects every device not connected, at most `concurrency` CONNECTs in
 *   flight; each device subscribes to its command and error topics; a refused or failed connect is retried
 *   after a short backoff (at most 20 attempts, and never past `maxS`). Answers `done`.
 * - `{type:'stop'}` (or the parent gone): closes everything and exits.
 *
 * A connection that drops (the broker killed) is counted and left closed: the devices reconnect when
 * told to (`connect` again), all at once. Sends `progress` twice a second.
 * Usage: node reconnect-worker.ts <devices.json> <localAddress> <concurrency> <maxS>
 */
import { readFileSync } from 'node:fs';
import type { MqttClient } from 'mqtt';
import { topics } from '../../kernel/contract.ts';
import { connectFrom } from '../household/connect-from.ts';

export type WorkerCommand = { type: 'connect'; url: string } | { type: 'stop' };

export interface WorkerProgress {
  type: 'progress' | 'done';
  /** devices connected now (CONNACK 0 and SUBACK, connection not closed since) */
  live: number;
  /** devices that gave up in this round (20 failed attempts, or out of time) */
  failed: number;
  /** connect attempts that failed and were retried in this round */
  retries: number;
  /** connections that dropped since the last round started */
  dropped: number;
  /** ms of this round, from the command to the last device back (done only) */
  ms: number;
  /** CONNECT → SUBACK of each device's successful attempt in this round, ms, sorted (done only) */
  latencies: number[];
  /** ms from the command to each device back (SUBACK) in this round, sorted (done only) */
  backAt: number[];
  lastError: string;
}

const MAX_ATTEMPTS = 20;

const [file = '', localAddress = '127.0.0.1', concurrencyArg = '500', maxSArg = '300'] =
  process.argv.slice(2);
const devices = (JSON.parse(readFileSync(file, 'utf8')) as { devices: Array<{ id: string; secret: string }> })
  .devices;
const concurrency = Math.max(1, Math.min(5000, Number(concurrencyArg)));
const maxMs = Math.max(1, Number(maxSArg)) * 1000;

const clients = new Map<string, MqttClient>();
let failed = 0;
let retries = 0;
let dropped = 0;
let lastError = '';
let running = false;

const send = (m: WorkerProgress) => process.send?.(m);
const progress = (type: 'progress' | 'done', ms = 0, latencies: number[] = [], backAt: number[] = []) =>
  send({ type, live: clients.size, failed, retries, dropped, ms, latencies, backAt, lastError });
const ticker = setInterval(() => progress('progress'), 500);

function shutdown(): void {
  clearInterval(ticker);
  for (const c of clients.values()) c.end(true);
  clients.clear();
  process.exit(0);
}

async function connectOne(url: string, id: string, secret: string, deadline: number): Promise<void> {
  const timeout = Math.max(1000, Math.min(60_000, deadline - performance.now()));
  const client = await connectFrom(
    url,
    { clientId: id, username: id, password: secret, keepalive: 900, connectTimeout: timeout },
    localAddress,
  );
  client.on('error', () => undefined);
  try {
    await client.subscribeAsync([topics.device(id, 'command'), topics.device(id, 'error')], { qos: 1 });
  } catch (err) {
    client.end(true);
    throw err;
  }
  if (client.disconnected || !client.connected) {
    client.end(true);
    throw new Error('closed right after SUBACK');
  }
  clients.set(id, client);
  client.once('close', () => {
    if (clients.get(id) !== client) return;
    clients.delete(id);
    dropped++;
    client.end(true);
  });
}

/** Connects every device not connected now, `concurrency` lanes, each retrying its device on failure. */
async function connectAll(url: string): Promise<void> {
  const started = performance.now();
  const deadline = started + maxMs;
  failed = 0;
  retries = 0;
  dropped = 0;
  const todo = devices.filter((d) => !clients.has(d.id));
  const latencies: number[] = [];
  const backAt: number[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < todo.length; i = next++) {
      const d = todo[i] as { id: string; secret: string };
      for (let attempt = 1; ; attempt++) {
        const t0 = performance.now();
        try {
          await connectOne(url, d.id, d.secret, deadline);
          const now = performance.now();
          latencies.push(now - t0);
          backAt.push(now - started);
          break;
        } catch (err) {
          lastError = String(err);
          if (attempt >= MAX_ATTEMPTS || performance.now() >= deadline) {
            failed++;
            break;
          }
          retries++;
          // a device's backoff: 100 ms, 200 ms, … at most 2 s, with jitter
          const backoff = Math.min(2000, 100 * attempt) * (0.5 + Math.random() / 2);
          await new Promise((r) =>
            setTimeout(r, Math.min(backoff, Math.max(0, deadline - performance.now()))),
          );
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, todo.length) }, lane));
  latencies.sort((a, b) => a - b);
  backAt.sort((a, b) => a - b);
  progress('done', performance.now() - started, latencies, backAt);
}

process.on('message', (m: WorkerCommand) => {
  if (m.type === 'stop') shutdown();
  else if (m.type === 'connect' && !running) {
    running = true;
    void connectAll(m.url).finally(() => {
      running = false;
    });
  }
});
process.on('disconnect', shutdown); // the parent is gone
process.on('SIGTERM', shutdown);
