import { AsyncLocalStorage } from 'node:async_hooks';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { type AfterCommit, afterCommitOf } from './after-commit.ts';

/** Who holds the connection: an open transaction (or group commit) and the async work inside it. */
interface Holder {
  readonly id: number;
}

/**
 * The one SQLite connection of a data directory, as the rooms' async store adapters use it.
 *
 * node:sqlite answers synchronously, but the stores' interfaces are `Promise`-returning (design.md,
 * "Rooms own their data") so a transaction's body is async and may span several awaits. While one is
 * open, the connection belongs to it: work from inside it (same async context, AsyncLocalStorage) runs
 * at once; work from anywhere else waits until it commits or rolls back, so it neither sees uncommitted
 * rows nor lands in someone else's transaction. With nothing open, work runs at once.
 *
 * Rule for transaction bodies: await store calls one after the other (no Promise.all of savepoints).
 */
export class SqliteConnection {
  readonly db: DatabaseSync;
  readonly after: AfterCommit;
  readonly #statements = new Map<string, StatementSync>();
  readonly #context = new AsyncLocalStorage<Holder>();
  #holder: Holder | null = null;
  #nextId = 1;
  /** callers waiting for the connection, woken one at a time */
  #waiting: Array<() => void> = [];

  constructor(db: DatabaseSync) {
    this.db = db;
    this.after = afterCommitOf(db);
  }

  /** A prepared statement by SQL text, prepared once per connection. */
  statement(sql: string): StatementSync {
    let stmt = this.#statements.get(sql);
    if (!stmt) {
      stmt = this.db.prepare(sql);
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  /** True when the caller runs inside the transaction that holds the connection. */
  get inTransaction(): boolean {
    return this.#holder !== null && this.#context.getStore() === this.#holder;
  }

  /** True when another async context holds the connection (its transaction is open). */
  get heldElsewhere(): boolean {
    return this.#holder !== null && this.#context.getStore() !== this.#holder;
  }

  /**
   * Whether what the caller causes now must wait for a commit: it runs inside the holding transaction,
   * or inside a synchronous transaction (kernel/db.ts `transaction`, which nothing can interleave).
   */
  get deferring(): boolean {
    return this.#holder === null ? this.after.active : this.inTransaction;
  }

  /** Runs `hook` after the caller's transaction commits (at once outside one): the bus's events. */
  defer(hook: () => void): void {
    if (this.deferring) this.after.defer(hook);
    else hook();
  }

  /**
   * Runs a synchronous piece of SQL: at once when the connection is free or held by the caller's own
   * transaction, else once that transaction ends.
   */
  use<T>(fn: (db: DatabaseSync) => T): Promise<T> {
    if (this.#holder === null || this.#context.getStore() === this.#holder) {
      try {
        return Promise.resolve(fn(this.db));
      } catch (err) {
        return Promise.reject(err);
      }
    }
    return this.#acquire().then(() => {
      try {
        return fn(this.db);
      } finally {
        this.#release();
      }
    });
  }

  /**
   * Runs `fn` in one transaction (a savepoint of the caller's, when it runs inside one). Rolled back
   * when `fn` throws. What it deferred (bus events, outbox kicks: after-commit.ts) runs after COMMIT.
   */
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    if (this.inTransaction) return this.#savepoint(fn);
    return this.hold(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      this.after.begin();
      try {
        const result = await fn();
        this.db.exec('COMMIT');
        this.after.commit();
        return result;
      } catch (err) {
        this.after.rollback();
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
        throw err;
      }
    });
  }

  /**
   * Holds the connection for `fn` (which issues its own BEGIN/COMMIT: group commit does), so work from
   * other contexts waits meanwhile. Not re-entrant: call it only from outside any transaction.
   */
  async hold<T>(fn: () => Promise<T>): Promise<T> {
    await this.#acquire();
    const holder: Holder = { id: this.#nextId++ };
    this.#holder = holder;
    try {
      return await this.#context.run(holder, fn);
    } finally {
      this.#holder = null;
      this.#release();
    }
  }

  async #savepoint<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec('SAVEPOINT nested');
    this.after.begin();
    try {
      const result = await fn();
      this.db.exec('RELEASE nested');
      this.after.commit();
      return result;
    } catch (err) {
      this.after.rollback();
      this.db.exec('ROLLBACK TO nested');
      this.db.exec('RELEASE nested');
      throw err;
    }
  }

  #busy = false;

  #acquire(): Promise<void> {
    if (!this.#busy) {
      this.#busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#busy = false;
  }
}

const connections = new WeakMap<DatabaseSync, SqliteConnection>();

/** The connection wrapper of a database handle: one per handle, shared by every room's adapter. */
export function connectionOf(db: DatabaseSync): SqliteConnection {
  let c = connections.get(db);
  if (!c) {
    c = new SqliteConnection(db);
    connections.set(db, c);
  }
  return c;
}
