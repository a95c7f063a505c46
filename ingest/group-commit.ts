import type { Db } from '../kernel/db.ts';
import type { Logger } from '../kernel/logger.ts';

interface Pending {
  apply: () => void;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Group commit: writes enqueued during one turn of the event loop are applied in ONE transaction with
 * ONE sync (synchronous=FULL), then every caller's promise resolves. A device is acknowledged only
 * after its promise resolves, so an acknowledged message is on disk.
 *
 * Bound: at most `maxBatch` writes per transaction; the rest go in the next one at once.
 * If a batch fails, each write is retried in a transaction of its own so one bad write
 * cannot take the others down with it.
 */
export class GroupCommit {
  readonly #db: Db;
  readonly #log: Logger;
  readonly #maxBatch: number;
  #pending: Pending[] = [];
  #scheduled = false;
  /** transactions committed */
  commits = 0;
  /** writes committed */
  writes = 0;

  constructor(db: Db, log: Logger, maxBatch = 2000) {
    this.#db = db;
    this.#log = log;
    this.#maxBatch = maxBatch;
  }

  get queued(): number {
    return this.#pending.length;
  }

  /** Queues `apply` (synchronous SQL) for the next group commit; resolves once it is durable. */
  enqueue(apply: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ apply, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Commits whatever is queued now (used on stop). */
  flushNow(): void {
    while (this.#pending.length > 0) this.#commit(this.#pending.splice(0, this.#maxBatch));
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#pending.splice(0, this.#maxBatch);
    if (this.#pending.length > 0) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
    if (batch.length > 0) this.#commit(batch);
  }

  #commit(batch: Pending[]): void {
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      for (const p of batch) p.apply();
      this.#db.exec('COMMIT');
      this.commits++;
      this.writes += batch.length;
      for (const p of batch) p.resolve();
      return;
    } catch (err) {
      if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      if (batch.length === 1) {
        (batch[0] as Pending).reject(err as Error);
        return;
      }
      this.#log.warn({ err, size: batch.length }, 'group commit failed; retrying its writes one by one');
    }
    for (const p of batch) this.#commit([p]);
  }
}
