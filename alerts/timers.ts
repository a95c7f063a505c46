import type { Clock, TimerHandle } from '../kernel/clock.ts';
import { type Db, Statements } from '../kernel/db.ts';
import type { Logger } from '../kernel/logger.ts';

/** A rule timer that ran out. */
export interface FiredTimer<P = unknown> {
  key: string;
  kind: string;
  householdId: string;
  armedAt: number;
  dueAt: number;
  firedAt: number;
  /** fell due while the hub was down: fired at once on start */
  late: boolean;
  payload: P;
}

type Handler = (t: FiredTimer) => void;

/**
 * Persisted rule timers ("deadlines are data", design.md principle 3): each pending timer is a row with
 * its due time; `start` re-arms them all, and one that fell due while the hub was down fires at once,
 * marked late. A timer fires once: it is claimed with a conditional DELETE, so with several hub processes
 * only one fires it. Re-arming a key replaces its timer.
 */
export class RuleTimers {
  readonly #db: Db;
  readonly #sql: Statements;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #handlers = new Map<string, Handler>();
  readonly #armed = new Map<string, TimerHandle>();
  #startedAt = 0;
  #running = false;

  constructor(deps: { db: Db; clock: Clock; log: Logger }) {
    this.#db = deps.db;
    this.#sql = new Statements(deps.db);
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  /** Registers what a timer kind does when it runs out (before `start`). */
  on<P>(kind: string, handler: (t: FiredTimer<P>) => void): void {
    this.#handlers.set(kind, handler as Handler);
  }

  start(): void {
    this.#running = true;
    this.#startedAt = this.#clock.now();
    const rows = this.#sql.get('SELECT key, due_at, armed_at FROM alert_timers ORDER BY due_at').all();
    for (const r of rows) this.#schedule(String(r.key), Number(r.due_at), Number(r.armed_at));
  }

  stop(): void {
    this.#running = false;
    for (const h of this.#armed.values()) this.#clock.clearTimeout(h);
    this.#armed.clear();
  }

  /** Arms (or re-arms) the timer `key` to run out at `dueAt`, epoch ms. */
  arm(key: string, kind: string, householdId: string, dueAt: number, payload: unknown): void {
    const armedAt = this.#clock.now();
    this.#sql
      .get(
        `INSERT INTO alert_timers (key, kind, household_id, due_at, armed_at, payload) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, household_id = excluded.household_id,
           due_at = excluded.due_at, armed_at = excluded.armed_at, payload = excluded.payload`,
      )
      .run(key, kind, householdId, dueAt, armedAt, JSON.stringify(payload));
    this.#schedule(key, dueAt, armedAt);
  }

  /** Cancels the timer `key`; true when one was pending. */
  cancel(key: string): boolean {
    this.#unschedule(key);
    return Number(this.#sql.get('DELETE FROM alert_timers WHERE key = ?').run(key).changes) > 0;
  }

  /** The pending timer `key`, if any. */
  pending<P>(key: string): { dueAt: number; armedAt: number; payload: P } | null {
    const r = this.#sql.get('SELECT due_at, armed_at, payload FROM alert_timers WHERE key = ?').get(key);
    if (!r) return null;
    return {
      dueAt: Number(r.due_at),
      armedAt: Number(r.armed_at),
      payload: JSON.parse(String(r.payload)) as P,
    };
  }

  #unschedule(key: string): void {
    const h = this.#armed.get(key);
    if (h) this.#clock.clearTimeout(h);
    this.#armed.delete(key);
  }

  #schedule(key: string, dueAt: number, armedAt: number): void {
    this.#unschedule(key);
    if (!this.#running) return; // start() schedules whatever is in the table
    const handle = this.#clock.setTimeout(
      () => {
        this.#armed.delete(key);
        this.#fire(key, dueAt, armedAt);
      },
      Math.max(0, dueAt - this.#clock.now()),
    );
    this.#armed.set(key, handle);
  }

  #fire(key: string, dueAt: number, armedAt: number): void {
    const row = this.#sql
      .get(
        'SELECT kind, household_id, payload FROM alert_timers WHERE key = ? AND due_at = ? AND armed_at = ?',
      )
      .get(key, dueAt, armedAt);
    if (!row) return; // re-armed or cancelled meanwhile, or fired by another process
    const claimed = this.#sql
      .get('DELETE FROM alert_timers WHERE key = ? AND due_at = ? AND armed_at = ?')
      .run(key, dueAt, armedAt);
    if (Number(claimed.changes) !== 1) return;
    const kind = String(row.kind);
    const handler = this.#handlers.get(kind);
    if (!handler) {
      this.#log.error({ key, kind }, 'rule timer without a handler dropped');
      return;
    }
    const fired: FiredTimer = {
      key,
      kind,
      householdId: String(row.household_id),
      armedAt,
      dueAt,
      firedAt: this.#clock.now(),
      late: dueAt < this.#startedAt,
      payload: JSON.parse(String(row.payload)) as unknown,
    };
    try {
      handler(fired);
    } catch (err) {
      this.#log.error({ err, key, kind }, 'rule timer handler failed');
    }
  }
}
