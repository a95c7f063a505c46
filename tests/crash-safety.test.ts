import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteIngestQueries } from '../ingest/queries/sqlite.ts';
import { systemClock } from '../kernel/clock.ts';
import { openDatabase } from '../kernel/db.ts';
import { createRegistry } from '../kernel/registry/index.ts';
import { generateSecret, hashSecret } from '../kernel/secrets.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';
import { SimDevice } from '../simulators/device.ts';
import { killHard, startChildHub } from './helpers/child-hub.ts';

const DEVICES = 20;
const RUN_LIMIT_MS = 10_000; // bound on the publishing loop

describe('crash safety', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-crash-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // Two hub starts and a run under load: allow 90 s on a busy CI machine.
  it('keeps every acknowledged QoS 1 event exactly once through a SIGKILL at a random moment', {
    timeout: 90_000,
  }, async () => {
    const db = openDatabase(dataDir, HUB_MIGRATIONS);
    const registry = createRegistry(db, systemClock);
    await registry.households.upsert({ id: 'hh-crash', address: '幸福路 1号', grid: 'g1' });
    const secrets = new Map<string, string>();
    for (let i = 0; i < DEVICES; i++) {
      const id = `btn-crash-${i}`;
      const secret = generateSecret();
      secrets.set(id, secret);
      await registry.devices.upsert(
        { id, householdId: 'hh-crash', type: 'button' },
        await hashSecret(secret),
      );
    }
    db.close();

    const hub = await startChildHub(dataDir);
    const acked = new Map<string, number[]>();
    const devices = await Promise.all(
      [...secrets].map(([id, secret]) =>
        new SimDevice({ url: `mqtt://127.0.0.1:${hub.mqttPort}`, id, secret, type: 'button' }).connect(),
      ),
    );
    let killed = false;
    const started = Date.now();
    const loops = devices.map(async (d) => {
      const mine: number[] = [];
      acked.set(d.id, mine);
      while (!killed && Date.now() - started < RUN_LIMIT_MS) {
        try {
          mine.push(await d.event('sos'));
        } catch {
          return; // the hub died: this one was not acknowledged
        }
      }
    });
    // Arm the kill once events are flowing (a loaded machine may take a while), then wait a random time.
    const total = () => [...acked.values()].reduce((n, s) => n + s.length, 0);
    while (total() < DEVICES * 2 && Date.now() - started < RUN_LIMIT_MS / 2)
      await new Promise((r) => setTimeout(r, 20));
    const killAfterMs = Math.floor(Math.random() * 1000);
    await new Promise((r) => setTimeout(r, killAfterMs));
    killed = true;
    await killHard(hub);
    for (const d of devices) d.kill();
    // A publish in flight at the kill may never settle in MQTT.js: it was not acknowledged, so stop waiting.
    await Promise.race([Promise.allSettled(loops), new Promise((r) => setTimeout(r, 3000))]);

    expect(
      total(),
      `acknowledged events before the kill, ${killAfterMs} ms after they flowed`,
    ).toBeGreaterThan(DEVICES);

    // Restart (recovery of the WAL), then look at the store.
    const again = await startChildHub(dataDir);
    await killHard(again);
    // What is on disk, through the ingest room's queries on a freshly opened (read-only) store.
    const store = new DatabaseSync(join(dataDir, 'hub.sqlite'), { readOnly: true });
    const queries = createSqliteIngestQueries(store);
    const missing: string[] = [];
    const doubled: string[] = [];
    for (const [id, seqs] of acked) {
      const stored = new Map<number | null, number>();
      for (const m of await queries.messages({ deviceId: id, channel: 'event' }))
        stored.set(m.seq, (stored.get(m.seq) ?? 0) + 1);
      for (const seq of seqs) {
        const n = stored.get(seq) ?? 0;
        if (n === 0) missing.push(`${id}#${seq}`);
        if (n > 1) doubled.push(`${id}#${seq}`);
      }
    }
    store.close();
    expect(missing).toEqual([]);
    expect(doubled).toEqual([]);
  });
});
