import type { DatabaseSync } from 'node:sqlite';
import type { Logger } from './logger.ts';

type Hook = () => void;

/**
 * What waits for the open transaction of one store connection to commit: the bus's events (bus.ts)
 * and the outbox's delivery kicks. One level per transaction or savepoint: a savepoint released hands
 * its hooks to the level around it, one rolled back drops them (the events it caused never happened),
 * and the outermost level's hooks run once its COMMIT is durable.
 *
 * The store's transactions are synchronous (node:sqlite), so "the open transaction" of a connection is
 * exact: nothing else runs on the event loop between BEGIN and COMMIT.
 */
export class AfterCommit {
  readonly #levels: Hook[][] = [];
  #log: Logger | null = null;

  /** Where a hook that throws is logged (the others still run). */
  logTo(log: Logger): void {
    this.#log = log;
  }

  /** True between BEGIN and COMMIT/ROLLBACK. */
  get active(): boolean {
    return this.#levels.length > 0;
  }

  begin(): void {
    this.#levels.push([]);
  }

  /** Runs `hook` once the open transaction commits; at once when none is open. */
  defer(hook: Hook): void {
    const level = this.#levels[this.#levels.length - 1];
    if (level) level.push(hook);
    else this.#run([hook]);
  }

  /** The innermost level committed (or released): its hooks join the level around it, or run now. */
  commit(): void {
    const hooks = this.#levels.pop() ?? [];
    const outer = this.#levels[this.#levels.length - 1];
    if (outer) outer.push(...hooks);
    else this.#run(hooks);
  }

  /**
   * The outermost transaction committed but is not yet durable (group commit syncs the WAL after): its
   * hooks, to run once the sync is done. Inside a savepoint this is `commit()` and returns nothing.
   */
  detach(): Hook[] {
    if (this.#levels.length !== 1) {
      this.commit();
      return [];
    }
    return this.#levels.pop() ?? [];
  }

  rollback(): void {
    this.#levels.pop();
  }

  run(hooks: Hook[]): void {
    this.#run(hooks);
  }

  #run(hooks: Hook[]): void {
    for (const hook of hooks) {
      try {
        hook();
      } catch (err) {
        this.#log?.error({ err }, 'after-commit hook failed');
      }
    }
  }
}

const scopes = new WeakMap<DatabaseSync, AfterCommit>();

/** The after-commit scope of a store connection (one per connection, created on first use). */
export function afterCommitOf(db: DatabaseSync): AfterCommit {
  let scope = scopes.get(db);
  if (!scope) {
    scope = new AfterCommit();
    scopes.set(db, scope);
  }
  return scope;
}
