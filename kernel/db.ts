import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { afterCommitOf } from './after-commit.ts';
import type { Logger } from './logger.ts';
import { migrate, type RoomMigrations } from './migrate.ts';
import { connectionOf } from './sqlite-connection.ts';

export type Db = DatabaseSync;

/**
 * Opens (creating if needed) the embedded store in `dataDir/hub.sqlite` and applies the pending ones of
 * `migrations` (kernel/migrate.ts): pass every room's, HUB_MIGRATIONS in migrations.ts beside hub.ts.
 */
export function openDatabase(dataDir: string, migrations: readonly RoomMigrations[], log?: Logger): Db {
  mkdirSync(dataDir, { recursive: true });
  const db = new DatabaseSync(join(dataDir, 'hub.sqlite'));
  // WAL + synchronous=FULL: a committed transaction survives a crash or power loss.
  db.exec(
    'PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;',
  );
  migrate(db, migrations, log);
  return db;
}

/**
 * A second, read-only connection to a store file another connection (the hub's) writes: for work off
 * the main thread that only reads (the import checker). WAL lets it read while the hub writes.
 */
export function openReadOnly(path: string): Db {
  const db = new DatabaseSync(path, { readOnly: true });
  db.exec('PRAGMA busy_timeout = 5000;');
  return db;
}

/**
 * Runs `fn` in one transaction; rolls back on any error. A call inside an open transaction (a store
 * method that uses its own transaction, called from a bulk import) runs in a savepoint of it. What the
 * transaction deferred (bus events, outbox kicks: after-commit.ts) runs after its COMMIT, or never.
 */
export function transaction<T>(db: Db, fn: () => T): T {
  // A synchronous transaction cannot wait: one begun while an async transaction of another context
  // holds the connection would land in it (and roll back with it), so it is refused loudly.
  if (connectionOf(db).heldElsewhere)
    throw new Error('a synchronous transaction while an async one holds the store connection');
  if (db.isTransaction) return savepoint(db, fn);
  const after = afterCommitOf(db);
  db.exec('BEGIN IMMEDIATE');
  after.begin();
  try {
    const result = fn();
    db.exec('COMMIT');
    after.commit();
    return result;
  } catch (err) {
    after.rollback();
    if (db.isTransaction) db.exec('ROLLBACK');
    throw err;
  }
}

/** SQLite savepoints nest by name: RELEASE and ROLLBACK TO address the innermost one. */
function savepoint<T>(db: Db, fn: () => T): T {
  const after = afterCommitOf(db);
  db.exec('SAVEPOINT nested');
  after.begin();
  try {
    const result = fn();
    db.exec('RELEASE nested');
    after.commit();
    return result;
  } catch (err) {
    after.rollback();
    db.exec('ROLLBACK TO nested');
    db.exec('RELEASE nested');
    throw err;
  }
}

/**
 * Prepared statements by SQL text, prepared once per connection: preparing is far dearer than running
 * a primary-key lookup, and the registry runs one for every device message.
 */
export class Statements {
  readonly #db: Db;
  readonly #cache = new Map<string, StatementSync>();
  constructor(db: Db) {
    this.#db = db;
  }
  get(sql: string): StatementSync {
    let stmt = this.#cache.get(sql);
    if (!stmt) {
      stmt = this.#db.prepare(sql);
      this.#cache.set(sql, stmt);
    }
    return stmt;
  }
}
