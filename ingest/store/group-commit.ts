import type { AfterCommit } from '../../kernel/after-commit.ts';
import type { Db } from '../../kernel/db.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { HistogramHandle, Metrics } from '../../kernel/metrics.ts';
import { connectionOf, type SqliteConnection } from '../../kernel/sqlite-connection.ts';
import { WalSync } from './wal-sync.ts';

/** `urgent`: life-safety messages (SOS, fall, leak …), committed ahead of queued telemetry. */
export type CommitLane = 'urgent' | 'normal';

interface Pending {
  urgent: boolean;
  apply: () => void | Promise<void>;
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Group commit: writes enqueued during one turn of the event loop are applied in ONE transaction, then
 * ONE sync makes them durable, then every caller's promise resolves. A device is acknowledged only after
 * its promise resolves, so an acknowledged message is on disk.
 *
 * The sync runs off the main thread: the transaction commits with SQLite's `synchronous = NORMAL` (the
 * WAL frames are written, not yet synced) and WalSync fsyncs the WAL file on libuv's thread pool, so
 * the next batch is applied while the previous one is being synced. Writes outside group commit keep
 * `synchronous = FULL` (the connection's setting), so they sync as before.
 *
 * Lanes: `urgent` writes go first into the next transaction, ahead of any queued `normal` write, so a
 * life-safety message is never behind more than the one group commit in progress; a batch that holds
 * one is synced at once on the main thread (measured under saturated telemetry: the thread-pool sync's
 * round trip behind a busy event loop cost the SOS's PUBACK 30–150 ms, an inline fsync 1–3 ms).
 *
 * Events after commit: what a batch's writes deferred (bus events, outbox kicks: kernel/after-commit.ts)
 * runs once the batch is durable, just before its callers' promises resolve; a batch rolled back drops
 * them, and a write retried on its own defers them again.
 *
 * Bound: at most `maxBatch` writes per transaction (urgent ones always fit); the rest go in the next
 * one at once. If a batch fails, each write is retried in a transaction of its own so one bad write
 * cannot take the others down with it.
 */
export class GroupCommit {
  readonly #db: Db;
  readonly #conn: SqliteConnection;
  readonly #log: Logger;
  readonly #size: HistogramHandle | undefined;
  readonly #time: HistogramHandle | undefined;
  readonly #maxBatch: number;
  readonly #wal: WalSync;
  readonly #after: AfterCommit;
  #urgent: Pending[] = [];
  #normal: Pending[] = [];
  #scheduled = false;
  /** transactions committed */
  commits = 0;
  /** writes committed */
  writes = 0;

  constructor(db: Db, log: Logger, maxBatch = 2000, metrics?: Metrics) {
    this.#db = db;
    this.#log = log;
    this.#maxBatch = maxBatch;
    this.#size = metrics?.histogram('hub_ingest_group_commit_writes', 'Writes per group commit', {
      buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2000],
    });
    this.#time = metrics?.histogram(
      'hub_ingest_group_commit_seconds',
      'Group commit from BEGIN to durable (WAL synced), seconds, by lane of its first write',
      { labelNames: ['lane'] },
    );
    this.#wal = new WalSync(db);
    this.#conn = connectionOf(db);
    this.#after = this.#conn.after;
  }

  get queued(): number {
    return this.#urgent.length + this.#normal.length;
  }

  /**
   * Queues `apply` (the writes of one caller, through the stores' interfaces) for the next group
   * commit; resolves once it is durable.
   */
  enqueue(apply: () => void | Promise<void>, lane: CommitLane = 'normal'): Promise<void> {
    return new Promise((resolve, reject) => {
      const urgent = lane === 'urgent';
      (urgent ? this.#urgent : this.#normal).push({ urgent, apply, resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => this.#flush());
      }
    });
  }

  /** Commits whatever is queued now and syncs it before resolving (used on stop). */
  async flushNow(): Promise<void> {
    while (this.queued > 0) await this.#commit(this.#take(), true);
  }

  #take(): Pending[] {
    const urgent = this.#urgent.splice(0);
    return urgent.concat(this.#normal.splice(0, Math.max(0, this.#maxBatch - urgent.length)));
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#take();
    if (this.queued > 0) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
    // A batch with a life-safety write syncs at once on this thread (~1–3 ms, and rare): its devices
    // are acknowledged in this turn, not after a thread-pool round trip behind a busy event loop.
    if (batch.length > 0) void this.#commit(batch, batch[0]?.urgent === true);
  }

  /**
   * One transaction for the batch, holding the connection (other work waits until it commits). Never
   * rejects: a failure rejects the callers' promises.
   */
  async #commit(batch: Pending[], syncNow: boolean): Promise<void> {
    let hooks: Array<() => void> = [];
    let failure: unknown = null;
    const started = performance.now();
    const lane = batch[0]?.urgent ? 'urgent' : 'normal';
    const observe = () => {
      this.#size?.observe(batch.length);
      this.#time?.observe((performance.now() - started) / 1000, { lane });
    };
    await this.#conn.hold(async () => {
      try {
        this.#db.exec('PRAGMA synchronous = NORMAL');
        this.#db.exec('BEGIN IMMEDIATE');
        this.#after.begin();
        for (const p of batch) await p.apply();
        this.#db.exec('COMMIT');
        hooks = this.#after.detach();
        this.commits++;
        this.writes += batch.length;
      } catch (err) {
        failure = err;
        if (this.#after.active) this.#after.rollback();
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
      } finally {
        this.#db.exec('PRAGMA synchronous = FULL');
      }
    });
    if (failure !== null) {
      if (batch.length === 1) {
        (batch[0] as Pending).reject(failure as Error);
        return;
      }
      this.#log.warn(
        { err: failure, size: batch.length },
        'group commit failed; retrying its writes one by one',
      );
      for (const p of batch) await this.#commit([p], syncNow);
      return;
    }
    if (syncNow) {
      this.#wal.syncNow();
      observe();
      this.#after.run(hooks);
      for (const p of batch) p.resolve();
      return;
    }
    this.#wal.sync().then(
      () => {
        observe();
        this.#after.run(hooks);
        for (const p of batch) p.resolve();
      },
      (err: unknown) => {
        // Committed (readers see it) but maybe not on disk: its events still go, the devices get no ack.
        this.#log.error({ err, size: batch.length }, 'WAL sync failed: the batch is not acknowledged');
        this.#after.run(hooks);
        for (const p of batch) p.reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }
}
