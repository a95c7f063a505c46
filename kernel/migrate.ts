/**
 * The one schema migration runner. Each room keeps the migrations of the tables it owns in its own
 * `migrations.ts` (kernel/, broker/, ingest/, alerts/, console/); the composition (`migrations.ts` beside
 * hub.ts) hands their lists to `openDatabase` (kernel/db.ts), so the kernel imports no room.
 *
 * The scheme: one global version sequence, shared by all rooms, is the order key. Until 6fd3239 the
 * migrations were one list, and data directories record them in `schema_migrations(version, name,
 * applied_at)` by that global version; every migration kept its number in the room that owns its tables,
 * so those rows keep meaning what they meant and no upgrade step is needed. The one old migration that
 * created tables of several rooms (1: registry, users, sessions, security events) is now several entries
 * with the same version, one per room (SPLIT_VERSIONS): a version is applied as a whole (all its parts,
 * in the order of the rooms' lists, in one transaction, recorded as one row), so a store that has
 * version 1 has all of its parts and none re-runs. A new migration takes the next free global version in
 * the room that owns its tables; two rooms claiming the same new version is refused (renumber one), and so
 * is a gap in the sequence or a version the store has applied that no room knows (a newer hub's store).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from './logger.ts';

/** One migration of one room. Append only: never edit a released one. */
export interface Migration {
  /** global: the order key across rooms (the next free number for a new one) */
  version: number;
  name: string;
  sql: string;
}

/** A room's migrations, in version order. */
export interface RoomMigrations {
  room: string;
  migrations: readonly Migration[];
}

/** A global version, with its parts (one per room that has a migration of that version). */
export interface PlannedMigration {
  version: number;
  /** the parts' names joined with ' + ' (what `schema_migrations.name` records) */
  name: string;
  parts: ReadonlyArray<{ room: string; name: string; sql: string }>;
}

/**
 * Versions of the old single list that created tables of several rooms: only these may have a part in
 * more than one room. Frozen: a new migration belongs to one room.
 */
const SPLIT_VERSIONS: ReadonlySet<number> = new Set([1]);

export class MigrationPlanError extends Error {
  override name = 'MigrationPlanError';
}

/** Merges the rooms' lists into one plan in version order; refuses duplicates, gaps and misordered lists. */
export function planMigrations(rooms: readonly RoomMigrations[]): PlannedMigration[] {
  const byVersion = new Map<number, Array<{ room: string; name: string; sql: string }>>();
  const roomNames = new Set<string>();
  for (const { room, migrations } of rooms) {
    if (roomNames.has(room)) throw new MigrationPlanError(`room ${room} gives its migrations twice`);
    roomNames.add(room);
    let previous = 0;
    for (const m of migrations) {
      if (!Number.isSafeInteger(m.version) || m.version < 1)
        throw new MigrationPlanError(`${room} migration ${JSON.stringify(m.name)}: bad version ${m.version}`);
      if (m.version <= previous)
        throw new MigrationPlanError(
          `${room} migration ${m.version} (${m.name}) is listed after ${previous}: a room's list is in version order`,
        );
      previous = m.version;
      const parts = byVersion.get(m.version) ?? [];
      if (parts.length > 0 && !SPLIT_VERSIONS.has(m.version)) {
        throw new MigrationPlanError(
          `duplicate migration version ${m.version}: ${parts[0]?.room} (${parts[0]?.name}) and ${room} (${m.name}); ` +
            'give the newer one the next free version',
        );
      }
      parts.push({ room, name: m.name, sql: m.sql });
      byVersion.set(m.version, parts);
    }
  }
  const versions = [...byVersion.keys()].sort((a, b) => a - b);
  versions.forEach((v, i) => {
    if (v !== i + 1)
      throw new MigrationPlanError(`migration versions have a gap: ${i + 1} is missing before ${v}`);
  });
  return versions.map((version) => {
    const parts = byVersion.get(version) ?? [];
    return { version, name: parts.map((p) => p.name).join(' + '), parts };
  });
}

/** Applies the pending migrations of `rooms`, each version in its own transaction. */
export function migrate(db: DatabaseSync, rooms: readonly RoomMigrations[], log?: Logger): void {
  const plan = planMigrations(rooms);
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`);
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) =>
      Number(r.version),
    ),
  );
  const unknown = [...applied].filter((v) => v > plan.length || v < 1);
  if (unknown.length > 0) {
    throw new MigrationPlanError(
      `the store has migration ${unknown.join(', ')}, which no room of this hub knows (made by a newer hub?)`,
    );
  }
  for (const m of plan) {
    if (applied.has(m.version)) continue;
    // Its own transaction, not db.ts's transaction(): db.ts opens the store through this runner, and
    // importing back from it would be a circle. A migration never runs inside another transaction.
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const part of m.parts) db.exec(part.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        m.version,
        m.name,
        new Date().toISOString(),
      );
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
    log?.info({ version: m.version, name: m.name, rooms: m.parts.map((p) => p.room) }, 'migration applied');
  }
}
