import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../kernel/clock.ts';
import type { Db } from '../kernel/db.ts';
import type { Logger } from '../kernel/logger.ts';

const DAY_MS = 24 * 60 * 60_000;
/** Rows deleted per statement, so a first run on a large store does not hold the writer for long. */
const DELETE_CHUNK = 5000;

export interface RetentionPolicy {
  /** days accepted messages stay in the embedded store once InfluxDB and the local history have them */
  messageDays: number;
  /** days quarantine, dead-letter and security-event rows are kept for operators */
  auditDays: number;
}

export interface RetentionResult {
  messages: number;
  quarantine: number;
  deadLetter: number;
  securityEvents: number;
  seenSeq: number;
}

/**
 * Keeps the embedded store bounded: a message is deleted only when it is older than the retention, no
 * longer waiting in the outbox for InfluxDB, and already counted into the local hourly history. Bad-input
 * and security records are kept `auditDays`. Runs daily at 03:40 (node-cron, wall time) and on demand.
 */
export class Retention {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #policy: RetentionPolicy;
  #task: ScheduledTask | null = null;

  constructor(deps: { db: Db; clock: Clock; log: Logger; policy: RetentionPolicy }) {
    this.#db = deps.db;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#policy = deps.policy;
  }

  start(): void {
    this.#task = cron.schedule('40 3 * * *', () => {
      try {
        this.run();
      } catch (err) {
        this.#log.error({ err }, 'retention run failed');
      }
    });
  }

  async stop(): Promise<void> {
    await this.#task?.stop();
    this.#task = null;
  }

  run(): RetentionResult {
    const now = this.#clock.now();
    const messagesBefore = now - this.#policy.messageDays * DAY_MS;
    const auditBefore = now - this.#policy.auditDays * DAY_MS;
    const cursor = this.#db.prepare('SELECT message_id FROM history_cursor WHERE id = 1').get();
    const aggregatedUpTo = cursor ? Number(cursor.message_id) : 0;
    const result: RetentionResult = {
      messages: this.#chunked(
        `DELETE FROM messages WHERE id IN (
           SELECT id FROM messages WHERE received_at < ? AND id <= ?
             AND id NOT IN (SELECT message_id FROM outbox) LIMIT ${DELETE_CHUNK})`,
        [messagesBefore, aggregatedUpTo],
      ),
      quarantine: this.#chunked(
        `DELETE FROM quarantine WHERE id IN (SELECT id FROM quarantine WHERE at < ? LIMIT ${DELETE_CHUNK})`,
        [auditBefore],
      ),
      deadLetter: this.#chunked(
        `DELETE FROM dead_letter WHERE id IN (SELECT id FROM dead_letter WHERE at < ? LIMIT ${DELETE_CHUNK})`,
        [auditBefore],
      ),
      securityEvents: this.#chunked(
        `DELETE FROM security_events WHERE id IN (SELECT id FROM security_events WHERE at < ? LIMIT ${DELETE_CHUNK})`,
        [auditBefore],
      ),
      seenSeq: 0, // pruned continuously by the intake (dedupe window)
    };
    this.#log.info({ ...result }, 'retention run');
    return result;
  }

  #chunked(sql: string, args: number[]): number {
    const stmt = this.#db.prepare(sql);
    let total = 0;
    for (;;) {
      const n = Number(stmt.run(...args).changes);
      total += n;
      if (n < DELETE_CHUNK) return total;
    }
  }
}
