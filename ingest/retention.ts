import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { RetentionStore } from './store/types.ts';

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

/** The broker room's part: its security events, deleted through its store (broker/store/types.ts). */
export interface SecurityEventRetention {
  deleteSecurityEvents(before: number, limit: number): Promise<number>;
}

/**
 * Keeps the embedded store bounded: a message is deleted only when it is older than the retention, no
 * longer waiting in the outbox for InfluxDB, and already counted into the local hourly history. Bad-input
 * and security records are kept `auditDays`. Runs daily at 03:40 (node-cron, wall time) and on demand.
 */
export class Retention {
  readonly #store: RetentionStore;
  readonly #securityEvents: SecurityEventRetention;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #policy: RetentionPolicy;
  #task: ScheduledTask | null = null;
  #running: Promise<RetentionResult> | null = null;

  constructor(deps: {
    store: RetentionStore;
    securityEvents: SecurityEventRetention;
    clock: Clock;
    log: Logger;
    policy: RetentionPolicy;
  }) {
    this.#store = deps.store;
    this.#securityEvents = deps.securityEvents;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#policy = deps.policy;
  }

  start(): void {
    this.#task = cron.schedule('40 3 * * *', async () => {
      try {
        await this.run();
      } catch (err) {
        this.#log.error({ err }, 'retention run failed');
      }
    });
  }

  async stop(): Promise<void> {
    await this.#task?.stop();
    this.#task = null;
    await this.#running?.catch(() => undefined);
  }

  /** One run (a run asked for while one is in progress gets that one's result). */
  run(): Promise<RetentionResult> {
    this.#running ??= this.#run().finally(() => {
      this.#running = null;
    });
    return this.#running;
  }

  async #run(): Promise<RetentionResult> {
    const now = this.#clock.now();
    const messagesBefore = now - this.#policy.messageDays * DAY_MS;
    const auditBefore = now - this.#policy.auditDays * DAY_MS;
    const aggregatedUpTo = await this.#store.aggregatedUpTo();
    const result: RetentionResult = {
      messages: await chunked((n) => this.#store.deleteMessages(messagesBefore, aggregatedUpTo, n)),
      quarantine: await chunked((n) => this.#store.deleteQuarantine(auditBefore, n)),
      deadLetter: await chunked((n) => this.#store.deleteDeadLetters(auditBefore, n)),
      securityEvents: await chunked((n) => this.#securityEvents.deleteSecurityEvents(auditBefore, n)),
      seenSeq: 0, // pruned continuously by the intake (dedupe window)
    };
    this.#log.info({ ...result }, 'retention run');
    return result;
  }
}

/** Deletes chunk after chunk (each its own statement, so others get the store between) until one falls short. */
async function chunked(deleteChunk: (limit: number) => Promise<number>): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await deleteChunk(DELETE_CHUNK);
    total += n;
    if (n < DELETE_CHUNK) return total;
  }
}
