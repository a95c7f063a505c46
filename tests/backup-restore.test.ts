import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSqliteIngestQueries } from '../ingest/queries/sqlite.ts';
import { systemClock } from '../kernel/clock.ts';
import { openDatabase } from '../kernel/db.ts';
import { DEVICE_SECRET_KEY_FILE } from '../kernel/device-secrets.ts';
import { createRegistry } from '../kernel/registry/index.ts';
import { generateSecret, hashSecret } from '../kernel/secrets.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';
import { SimDevice } from '../simulators/device.ts';
import { killHard, startChildHub } from './helpers/child-hub.ts';

const root = join(import.meta.dirname, '..');
const node = join(root, 'node_modules', '.bin', 'node');
const DEVICES = 8;
const RUN_LIMIT_MS = 8000; // bound on the pressing loop

/** `npm run hub -- <args>` as an operator runs it: a process of its own, on a data directory. */
function hubCommand(dataDir: string, ...args: string[]) {
  const r = spawnSync(node, ['cli.ts', ...args], {
    cwd: root,
    env: { ...process.env, HUB_DATA_DIR: dataDir, HUB_LOG_LEVEL: 'warn' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** The same, without blocking this process: the simulated devices go on sending meanwhile. */
function hubCommandAsync(dataDir: string, ...args: string[]): Promise<ReturnType<typeof hubCommand>> {
  return new Promise((resolve) => {
    const child = spawn(node, ['cli.ts', ...args], {
      cwd: root,
      env: { ...process.env, HUB_DATA_DIR: dataDir, HUB_LOG_LEVEL: 'warn' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
    });
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

describe('backup and restore of the embedded store', () => {
  const dirs: string[] = [];
  const tmp = (name: string) => {
    const d = mkdtempSync(join(tmpdir(), `hub-${name}-`));
    dirs.push(d);
    return d;
  };
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('backs up under load; the restored hub has every message acknowledged before the backup, and its devices get in', {
    timeout: 120_000,
  }, async () => {
    const dataDir = tmp('backup-src');
    const db = openDatabase(dataDir, HUB_MIGRATIONS);
    const registry = createRegistry(db, systemClock);
    await registry.households.upsert({ id: 'hh-bk', address: '幸福路 2号', grid: 'g1' });
    const secrets = new Map<string, string>();
    for (let i = 0; i < DEVICES; i++) {
      const secret = generateSecret();
      secrets.set(`btn-bk-${i}`, secret);
      await registry.devices.upsert(
        { id: `btn-bk-${i}`, householdId: 'hh-bk', type: 'button' },
        await hashSecret(secret),
      );
    }
    db.close();

    const hub = await startChildHub(dataDir);
    const devices = await Promise.all(
      [...secrets].map(([id, secret]) =>
        new SimDevice({ url: `mqtt://127.0.0.1:${hub.mqttPort}`, id, secret, type: 'button' }).connect(),
      ),
    );
    const acked: Array<{ id: string; seq: number }> = [];
    let stop = false;
    const started = Date.now();
    const loops = devices.map(async (d) => {
      while (!stop && Date.now() - started < RUN_LIMIT_MS) {
        acked.push({ id: d.id, seq: await d.event('sos') });
        await new Promise((r) => setTimeout(r, 5));
      }
    });
    while (acked.length < DEVICES * 5) await new Promise((r) => setTimeout(r, 10));

    // The backup runs while the devices keep sending.
    const ackedBefore = [...acked];
    const file = join(tmp('backup-file'), 'hub-backup.sqlite');
    const during = acked.length;
    const backup = await hubCommandAsync(dataDir, 'backup', file);
    expect(backup.code, backup.err).toBe(0);
    expect(acked.length, 'messages acknowledged while the backup ran').toBeGreaterThan(during);
    expect(backup.out).toContain('Backed up');
    // Restoring over a live hub is refused, and touches nothing.
    const onLive = hubCommand(dataDir, 'restore', file, '--replace');
    expect(onLive.code).toBe(1);
    expect(onLive.err).toMatch(/a hub is running on .* \(pid \d+\)/);
    stop = true;
    await Promise.allSettled(loops);
    for (const d of devices) d.kill();
    await killHard(hub);

    // Restore into a new data directory and start a hub on it.
    const restoredDir = tmp('backup-dst');
    const restored = hubCommand(restoredDir, 'restore', file);
    expect(restored.code, restored.err).toBe(0);
    expect(readFileSync(join(restoredDir, DEVICE_SECRET_KEY_FILE))).toEqual(
      readFileSync(join(dataDir, DEVICE_SECRET_KEY_FILE)),
    );
    const again = await startChildHub(restoredDir);
    const [id, secret] = [...secrets][0] as [string, string];
    const device = await new SimDevice({
      url: `mqtt://127.0.0.1:${again.mqttPort}`,
      id,
      secret,
      type: 'button',
    }).connect();
    await device.event('sos'); // its secret still checks out (the key came with the backup)
    device.kill();
    await killHard(again);

    const store = openDatabase(restoredDir, HUB_MIGRATIONS);
    const events = await createSqliteIngestQueries(store).messages({
      householdId: 'hh-bk',
      channel: 'event',
    });
    store.close();
    const have = new Set(events.map((m) => `${m.deviceId}#${m.seq}`));
    expect(ackedBefore.filter((a) => !have.has(`${a.id}#${a.seq}`))).toEqual([]);
  });

  it('checks the file first: not SQLite, not a backup, or a store in the way are refused', async () => {
    const dataDir = tmp('restore-checks');
    const junk = join(dataDir, 'junk.sqlite');
    writeFileSync(junk, 'not a database at all, just text');
    const notSqlite = hubCommand(tmp('restore-empty'), 'restore', junk);
    expect(notSqlite.code).toBe(1);
    expect(notSqlite.err).toMatch(/not a (SQLite file|hub backup)/);

    const plain = tmp('restore-plain');
    openDatabase(plain, HUB_MIGRATIONS).close(); // a store, but not one made by `backup`
    const notBackup = hubCommand(tmp('restore-empty'), 'restore', join(plain, 'hub.sqlite'));
    expect(notBackup.code).toBe(1);
    expect(notBackup.err).toContain('was not made by `npm run hub -- backup`');

    const file = join(tmp('restore-file'), 'b.sqlite');
    expect(hubCommand(plain, 'backup', file).code).toBe(0);
    const inTheWay = hubCommand(plain, 'restore', file);
    expect(inTheWay.code).toBe(1);
    expect(inTheWay.err).toContain('--replace');
    const replaced = hubCommand(plain, 'restore', file, '--replace');
    expect(replaced.code, replaced.err).toBe(0);
    expect(replaced.out).toMatch(/kept as .*before-restore-/);
    expect(existsSync(join(plain, 'hub.sqlite'))).toBe(true);
  });
});
