import type { StatementSync } from 'node:sqlite';
import { type Db, transaction } from '../kernel/db.ts';
import { type DeadLetterInput, DeadLetterStore } from './dead-letter.ts';

/** An outbox entry with its stored message. */
export interface OutboxRow {
  messageId: number;
  deviceId: string;
  householdId: string;
  /** CanonicalMessage JSON */
  body: string;
}

/**
 * The writer's side of the intake outbox (migration 2): read the oldest entries in message-id order
 * (which is receive order, so per device too), and remove entries only once InfluxDB has them or they
 * have been set aside in the dead letter.
 */
export class InfluxOutbox {
  readonly #db: Db;
  readonly #read: StatementSync;
  readonly #remove: StatementSync;
  readonly #oldest: StatementSync;
  readonly #depth: StatementSync;
  readonly deadLetters: DeadLetterStore;

  constructor(db: Db) {
    this.#db = db;
    this.#read = db.prepare(
      `SELECT o.message_id, m.device_id, m.household_id, m.body
       FROM outbox o JOIN messages m ON m.id = o.message_id
       ORDER BY o.message_id LIMIT ?`,
    );
    // One parameter for any number of ids (SQLite caps bound parameters).
    this.#remove = db.prepare('DELETE FROM outbox WHERE message_id IN (SELECT value FROM json_each(?))');
    this.#oldest = db.prepare('SELECT enqueued_at FROM outbox ORDER BY message_id LIMIT 1');
    this.#depth = db.prepare('SELECT COUNT(*) AS n FROM outbox');
    this.deadLetters = new DeadLetterStore(db);
  }

  /** The oldest `limit` entries, oldest first. */
  read(limit: number): OutboxRow[] {
    return this.#read.all(limit).map((r) => ({
      messageId: Number(r.message_id),
      deviceId: String(r.device_id),
      householdId: String(r.household_id),
      body: String(r.body),
    }));
  }

  /** InfluxDB acknowledged these messages (2xx). */
  written(messageIds: readonly number[]): void {
    this.#remove.run(JSON.stringify(messageIds));
  }

  /** Moves refused messages from the outbox to the dead letter, atomically. */
  deadLetter(entries: readonly DeadLetterInput[]): void {
    transaction(this.#db, () => {
      for (const e of entries) this.deadLetters.add(e);
      this.#remove.run(JSON.stringify(entries.map((e) => e.messageId)));
    });
  }

  depth(): number {
    return Number((this.#depth.get() as { n: number }).n);
  }

  /** enqueued_at (epoch ms) of the oldest entry; null when the outbox is empty. */
  oldestEnqueuedAt(): number | null {
    const row = this.#oldest.get();
    return row ? Number(row.enqueued_at) : null;
  }
}
