import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { type Db, openDatabase } from '../kernel/db.ts';
import { MigrationPlanError, migrate, planMigrations, type RoomMigrations } from '../kernel/migrate.ts';
import { createRegistry } from '../kernel/registry/index.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';

const dirs: string[] = [];
const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) if (db.isOpen) db.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'hub-migrations-'));
  dirs.push(dir);
  return dir;
};
const open = (dir: string) => {
  const db = openDatabase(dir, HUB_MIGRATIONS);
  opened.push(db);
  return db;
};

type MigrationRow = { version: number; name: string; applied_at: string };
const migrationRows = (db: DatabaseSync) =>
  db
    .prepare('SELECT version, name, applied_at FROM schema_migrations ORDER BY version')
    .all() as MigrationRow[];

/** Tables, indexes and triggers with their SQL, whitespace and comments aside: what a store ends up with. */
function schemaOf(db: DatabaseSync) {
  const rows = db
    .prepare(
      "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
    )
    .all() as Array<{ type: string; name: string; tbl_name: string; sql: string | null }>;
  const normalise = (sql: string | null) =>
    (sql ?? '')
      .replace(/--[^\n]*/g, '')
      .replace(/\s+/g, ' ')
      .replace(/\s*([(),])\s*/g, '$1')
      .trim();
  return rows.map((r) => ({ ...r, sql: normalise(r.sql) }));
}

const room = (name: string, ...versions: Array<[number, string]>): RoomMigrations => ({
  room: name,
  migrations: versions.map(([version, sql]) => ({ version, name: `${name} ${version}`, sql })),
});

describe('migration runner (kernel/migrate.ts)', () => {
  it('merges the rooms by global version, applies only what is pending, and records each version once', () => {
    const db = new DatabaseSync(':memory:');
    const kernel = room('kernel', [1, 'CREATE TABLE a (x)'], [3, 'ALTER TABLE a ADD COLUMN y']);
    const ingest = room('ingest', [2, 'CREATE TABLE b (x REFERENCES a(x))']);
    migrate(db, [kernel, ingest]);
    expect(migrationRows(db).map((r) => [r.version, r.name])).toEqual([
      [1, 'kernel 1'],
      [2, 'ingest 2'],
      [3, 'kernel 3'],
    ]);
    const before = migrationRows(db);
    const alerts = room('alerts', [4, 'CREATE TABLE c (x)']);
    migrate(db, [kernel, ingest, alerts]);
    const after = migrationRows(db);
    expect(after.slice(0, 3)).toEqual(before);
    expect(after.map((r) => r.version)).toEqual([1, 2, 3, 4]);
  });

  it('applies a version split across rooms as a whole, in the order of the lists, as one row', () => {
    const db = new DatabaseSync(':memory:');
    migrate(db, [
      room('kernel', [1, 'CREATE TABLE users (id)']),
      room('console', [1, 'CREATE TABLE sessions (u)']),
    ]);
    expect(migrationRows(db).map((r) => [r.version, r.name])).toEqual([[1, 'kernel 1 + console 1']]);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toMatchObject({
      n: 3, // users, sessions, schema_migrations
    });
  });

  it('refuses two rooms claiming the same new version', () => {
    const kernel = room('kernel', [1, 'CREATE TABLE a (x)']);
    const clash = [
      kernel,
      room('ingest', [2, 'CREATE TABLE b (x)']),
      room('alerts', [2, 'CREATE TABLE c (x)']),
    ];
    expect(() => planMigrations(clash)).toThrow(MigrationPlanError);
    expect(() => planMigrations(clash)).toThrow(/duplicate migration version 2: ingest .* and alerts/);
    // the same version twice in one room, too
    expect(() => planMigrations([room('kernel', [1, 'x'], [1, 'y'])])).toThrow(/listed after 1/);
    // and nothing is applied
    const db = new DatabaseSync(':memory:');
    expect(() => migrate(db, clash)).toThrow(MigrationPlanError);
    expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toMatchObject({
      n: 0,
    });
  });

  it('refuses a gap, a misordered list, a room given twice and a store from a newer hub', () => {
    expect(() => planMigrations([room('kernel', [1, 'x'], [3, 'y'])])).toThrow(/2 is missing before 3/);
    expect(() => planMigrations([room('kernel', [2, 'x'], [1, 'y'])])).toThrow(/listed after 2/);
    expect(() => planMigrations([room('kernel', [1, 'x']), room('kernel', [2, 'y'])])).toThrow(/twice/);
    const db = new DatabaseSync(':memory:');
    migrate(db, [room('kernel', [1, 'CREATE TABLE a (x)'], [2, 'CREATE TABLE b (x)'])]);
    expect(() => migrate(db, [room('kernel', [1, 'CREATE TABLE a (x)'])])).toThrow(
      /has migration 2, which no room of this hub knows/,
    );
  });

  it('rolls a failing version back whole: none of its parts, no row', () => {
    const db = new DatabaseSync(':memory:');
    const broken = [room('kernel', [1, 'CREATE TABLE a (x)']), room('console', [1, 'CREATE TABLE a (y)'])];
    expect(() => migrate(db, broken)).toThrow(/already exists/);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([
      { name: 'schema_migrations' },
    ]);
  });

  it("the hub's own lists plan cleanly, every room's tables included", () => {
    const plan = planMigrations(HUB_MIGRATIONS);
    expect(plan.map((m) => m.version)).toEqual(plan.map((_, i) => i + 1));
    expect(plan[0]?.parts.map((p) => p.room)).toEqual(['kernel', 'broker', 'console']);
    expect(HUB_MIGRATIONS.map((r) => r.room)).toEqual(['kernel', 'broker', 'ingest', 'alerts', 'console']);
  });
});

describe('a data directory made before the split upgrades in place', () => {
  // tests/fixtures/data-dir-v12: made by main 6fd3239, migrations 1–12 of the old single list.
  const fixture = join(import.meta.dirname, 'fixtures/data-dir-v12/hub.sqlite');
  const copyOfFixture = () => {
    const dir = tempDir();
    copyFileSync(fixture, join(dir, 'hub.sqlite'));
    return dir;
  };

  it('re-runs no migration, and ends with the schema of a freshly migrated store', () => {
    const dir = copyOfFixture();
    const old = new DatabaseSync(join(dir, 'hub.sqlite'));
    const before = migrationRows(old);
    old.close();
    expect(before.map((r) => r.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

    const db = open(dir);
    const after = migrationRows(db);
    // the old rows are untouched (same applied_at: nothing re-ran); only versions added since may follow
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after.map((r) => r.version)).toEqual(planMigrations(HUB_MIGRATIONS).map((m) => m.version));

    expect(schemaOf(db)).toEqual(schemaOf(open(tempDir())));
    // the same text exactly, too: the split moved the statements verbatim
    const exact =
      "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name";
    expect(db.prepare(exact).all()).toEqual(open(tempDir()).prepare(exact).all());

    // a second open changes nothing
    db.close();
    expect(migrationRows(open(dir))).toEqual(after);
  });

  it('keeps its data readable (and writable) through the registry', async () => {
    const db = open(copyOfFixture());
    const registry = createRegistry(db, new ManualClock());
    expect(await registry.households.get('hh-0001')).toMatchObject({
      address: '朝阳路 12 号 3 单元 401',
      grid: 'grid-a',
      location: { lat: 39.9, lon: 116.4 },
    });
    expect(await registry.households.residents('hh-0001')).toEqual([
      expect.objectContaining({ id: 'res-0001', name: '王奶奶', birthYear: 1938 }),
    ]);
    expect(await registry.households.contacts('hh-0001')).toEqual([
      expect.objectContaining({ name: '王小明', phone: '+8613800000001' }),
    ]);
    expect(await registry.devices.get('btn-0001')).toMatchObject({ type: 'button', residentId: 'res-0001' });
    expect(await registry.devices.byFriendlyName('gw-0001', '0x00158d0001a2b3c4')).toMatchObject({
      id: 'z-leak-0001',
      type: 'leak',
      room: 'kitchen',
    });
    expect(await registry.devices.getGateway('gw-0001')).toMatchObject({ householdId: 'hh-0001' });
    expect(await registry.people.userByName('xiaoming')).toMatchObject({
      role: 'family',
      displayName: '王小明',
    });
    expect(await registry.people.listResponders()).toEqual([
      expect.objectContaining({ id: 'rsp-0001', grids: ['grid-a'], stationId: 'st-0001' }),
    ]);
    expect(await registry.people.listStations()).toEqual([expect.objectContaining({ id: 'st-0001' })]);
    // the other rooms' rows are still there
    expect(db.prepare('SELECT count(*) AS n FROM sessions').get()).toMatchObject({ n: 1 });
    expect(
      db.prepare('SELECT device_id FROM messages JOIN outbox ON outbox.message_id = messages.id').all(),
    ).toEqual([{ device_id: 'btn-0001' }]);

    expect(
      await registry.devices.upsert({
        id: 'pir-0001',
        householdId: 'hh-0001',
        type: 'motion',
        room: 'bathroom',
      }),
    ).toBe('created');
    expect((await registry.devices.list(['hh-0001'])).map((d) => d.id)).toEqual([
      'btn-0001',
      'pir-0001',
      'z-leak-0001',
    ]);
  });
});
