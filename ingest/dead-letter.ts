import type { StatementSync } from 'node:sqlite';
import type { Db } from '../kernel/db.ts';
import { newestFirst } from '../kernel/newest-first.ts';

/** A line InfluxDB refused (or a stored message no point could be built of), kept with the reason. */
export interface DeadLetter {
  id: number;
  /** epoch ms, hub clock */
  at: number;
  messageId: number;
  deviceId: string;
  householdId: string;
  /** InfluxDB's HTTP status; null when no point could be built */
  status: number | null;
  /** InfluxDB's error message, or the schema's */
  error: string;
  /** the refused line protocol; '' when no point could be built */
  line: string;
}

export type DeadLetterInput = Omit<DeadLetter, 'id'>;

/** The dead-letter table (migration 3). Writes run inside the writer's outbox transaction. */
export class DeadLetterStore {
  readonly #db: Db;
  readonly #insert: StatementSync;

  constructor(db: Db) {
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO dead_letter (at, message_id, device_id, household_id, status, error, line)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  add(d: DeadLetterInput): void {
    this.#insert.run(d.at, d.messageId, d.deviceId, d.householdId, d.status, d.error, d.line);
  }

  /** Newest first; `beforeId` pages back. */
  list(opts: { limit: number; beforeId?: number | undefined; deviceId?: string | undefined }): DeadLetter[] {
    return newestFirst(this.#db, 'dead_letter', {
      filters: opts.deviceId ? [['device_id = ?', [opts.deviceId]]] : [],
      beforeId: opts.beforeId,
      limit: opts.limit,
    }).map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      messageId: Number(r.message_id),
      deviceId: String(r.device_id),
      householdId: String(r.household_id),
      status: r.status === null ? null : Number(r.status),
      error: String(r.error),
      line: String(r.line),
    }));
  }

  count(): number {
    return Number((this.#db.prepare('SELECT COUNT(*) AS n FROM dead_letter').get() as { n: number }).n);
  }
}
