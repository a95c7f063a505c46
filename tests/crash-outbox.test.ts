import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../kernel/clock.ts';
import { openDatabase } from '../kernel/db.ts';
import { createRegistry } from '../kernel/registry/index.ts';
import { generateSecret, hashSecret } from '../kernel/secrets.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';
import { SimDevice, until } from '../simulators/device.ts';
import { apiClient } from './helpers/api.ts';
import { type ChildHub, killHard, startChildHub } from './helpers/child-hub.ts';

/** One call unit per household, so every SOS opens an incident of its own. */
const HOUSEHOLDS = 60;
const RUN_LIMIT_MS = 8000; // bound on the pressing loop
const ADMIN_PASSWORD = 'child-admin-password';

interface Post {
  deliveryId: string;
  incidentId: string;
  event: string;
  status: number;
}

/**
 * A real HTTP receiver on 127.0.0.1 that fails about 40 % of the attempts with 503 (so retries are in
 * flight when the hub dies) and records every POST it got.
 */
async function flakyReceiver() {
  const posts: Post[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        event: string;
        incident: { id: string };
      };
      const status = Math.random() < 0.4 ? 503 : 200;
      posts.push({
        deliveryId: String(req.headers['x-hub-delivery']),
        incidentId: body.incident.id,
        event: body.event,
        status,
      });
      res.statusCode = status;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    posts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface IncidentRow {
  id: string;
  householdId: string;
}
interface DeliveryRow {
  id: number;
  channel: string;
  event: string;
  incidentId: string;
  status: string;
}

describe('crash safety of the notifications outbox', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-crash-outbox-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // Two hub starts, a run and the retries after it: allow 90 s on a busy CI machine.
  it('after a SIGKILL while incidents open and webhooks retry: one delivered webhook per acknowledged SOS, none for an incident not in the store', {
    timeout: 90_000,
  }, async () => {
    const receiver = await flakyReceiver();
    const db = openDatabase(dataDir, HUB_MIGRATIONS);
    const registry = createRegistry(db, systemClock);
    const secrets = new Map<string, { secret: string; householdId: string }>();
    for (let i = 0; i < HOUSEHOLDS; i++) {
      const householdId = `hh-ob-${i}`;
      await registry.households.upsert({ id: householdId, address: `幸福路 ${i}号`, grid: 'g1' });
      const secret = generateSecret();
      const id = `btn-ob-${i}`;
      secrets.set(id, { secret, householdId });
      await registry.devices.upsert({ id, householdId, type: 'button' }, await hashSecret(secret));
    }
    db.close();
    const env = {
      HUB_NOTIFY_WEBHOOK_URLS: receiver.url,
      HUB_NOTIFY_WEBHOOK_SECRET: 'crash-outbox-shared-secret',
      HUB_NOTIFY_WEBHOOK_RETRY_BASE_MS: '200',
      HUB_NOTIFY_WEBHOOK_RETRY_MAX_MS: '1000',
      HUB_NOTIFY_WEBHOOK_MAX_ATTEMPTS: '20',
    };

    let hub: ChildHub = await startChildHub(dataDir, env);
    const devices = await Promise.all(
      [...secrets].map(([id, { secret }]) =>
        new SimDevice({ url: `mqtt://127.0.0.1:${hub.mqttPort}`, id, secret, type: 'button' }).connect(),
      ),
    );
    /** households whose SOS the hub acknowledged (PUBACK) before it died */
    const acked = new Set<string>();
    let killed = false;
    const started = Date.now();
    // Presses spread over time, a few at once, so incidents keep opening until the kill.
    const queue = [...devices];
    const presser = async () => {
      for (let d = queue.shift(); d && !killed && Date.now() - started < RUN_LIMIT_MS; d = queue.shift()) {
        try {
          await d.event('sos');
          acked.add(secrets.get(d.id)?.householdId ?? '');
        } catch {
          return; // the hub died: not acknowledged
        }
        await new Promise((r) => setTimeout(r, 20 + Math.random() * 40));
      }
    };
    const loops = [presser(), presser(), presser()];
    // Kill once incidents are opening and a webhook's retry is pending (its last attempt failed; the
    // next comes 100–200 ms later), at a random moment within 50 ms.
    const retryPending = () => {
      const last = new Map(receiver.posts.map((p) => [p.deliveryId, p.status]));
      return [...last.values()].includes(503);
    };
    await until(
      () => acked.size >= 10 && retryPending(),
      RUN_LIMIT_MS,
      'incidents opening and a webhook retry pending',
    );
    await new Promise((r) => setTimeout(r, Math.random() * 50));
    killed = true;
    await killHard(hub);
    for (const d of devices) d.kill();
    await Promise.race([Promise.allSettled(loops), new Promise((r) => setTimeout(r, 3000))]);
    const postsBeforeKill = receiver.posts.length;
    expect(acked.size).toBeLessThan(HOUSEHOLDS); // the kill came while SOS were still being pressed

    // Restart: the outbox resumes what was pending; wait until nothing is.
    hub = await startChildHub(dataDir, env);
    const api = apiClient(`http://127.0.0.1:${hub.httpPort}`);
    const login = await api('POST', '/api/auth/login', {
      body: { username: 'admin', password: ADMIN_PASSWORD },
    });
    const token = (login.body as { token: string }).token;
    const pending = async () =>
      (await api('GET', '/api/notifications/deliveries?status=pending&limit=1000', { token }))
        .body as DeliveryRow[];
    let left = await pending();
    for (const end = Date.now() + 30_000; left.length > 0 && Date.now() < end; left = await pending())
      await new Promise((r) => setTimeout(r, 100));
    expect(left, 'deliveries still pending 30 s after the restart').toEqual([]);
    const incidents = (await api('GET', '/api/incidents?limit=1000', { token })).body as IncidentRow[];
    const deliveries = (
      (await api('GET', '/api/notifications/deliveries?channel=webhook&limit=1000', { token }))
        .body as DeliveryRow[]
    ).filter((d) => d.event === 'incident_opened');
    await killHard(hub);
    await receiver.close();

    const inStore = new Map(incidents.map((i) => [i.id, i]));
    // Every acknowledged SOS is an incident in the store.
    const households = new Set(incidents.map((i) => i.householdId));
    expect([...acked].filter((h) => !households.has(h))).toEqual([]);
    // No webhook ever named an incident that is not in the store (before the kill or after).
    expect(receiver.posts.filter((p) => !inStore.has(p.incidentId))).toEqual([]);
    // Every incident in the store (acknowledged or committed just before the kill) has exactly one
    // delivered incident_opened webhook: one delivery id answered 2xx, one delivered row.
    for (const i of incidents) {
      const ok = new Set(
        receiver.posts
          .filter((p) => p.incidentId === i.id && p.event === 'incident_opened' && p.status === 200)
          .map((p) => p.deliveryId),
      );
      expect(ok.size, `delivered webhooks of ${i.id}`).toBe(1);
      expect(
        deliveries.filter((d) => d.incidentId === i.id && d.status === 'delivered').length,
        `delivered rows of ${i.id}`,
      ).toBe(1);
    }
    // The run was meaningful: webhooks were in flight at the kill and more were delivered after it.
    expect(postsBeforeKill).toBeGreaterThan(0);
    expect(receiver.posts.length).toBeGreaterThan(postsBeforeKill);
  });
});
