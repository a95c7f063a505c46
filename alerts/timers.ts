import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { StoredTimer, TimerStore, Transactions } from './store/types.ts';

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

/** A pending rule timer. */
export interface PendingTimer<P = unknown> {
  key: string;
  dueAt: number;
  armedAt: number;
  payload: P;
}

type Handler = (t: FiredTimer) => void | Promise<void>;

/**
 * Persisted rule timers ("deadlines are data", design.md principle 3): each pending timer is a row with
 * its due time; `start` re-arms them all, and one that fell due while the hub was down fires at once,
 * marked late. A timer fires once: it is claimed with a conditional DELETE, so with several hub processes
 * only one fires it. Re-arming a key replaces its timer. The claim and what the handler does run in one
 * transaction (a handler's several store calls are not interleaved with other work, and they commit with
 * the claim); a handler that throws is logged and its timer stays claimed.
 */
export class RuleTimers {
  readonly #store: TimerStore;
  readonly #tx: Transactions;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #handlers = new Map<string, Handler>();
  readonly #armed = new Map<string, TimerHandle>();
  #startedAt = 0;
  #running = false;

  constructor(deps: { store: TimerStore; tx: Transactions; clock: Clock; log: Logger }) {
    this.#store = deps.store;
    this.#tx = deps.tx;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  /** Registers what a timer kind does when it runs out (before `start`); it may be async (awaited). */
  on<P>(kind: string, handler: (t: FiredTimer<P>) => void | Promise<void>): void {
    this.#handlers.set(kind, handler as Handler);
  }

  async start(): Promise<void> {
    this.#running = true;
    this.#startedAt = this.#clock.now();
    for (const t of await this.#store.all()) this.#schedule(t.key, t.dueAt, t.armedAt);
  }

  stop(): void {
    this.#running = false;
    for (const h of this.#armed.values()) this.#clock.clearTimeout(h);
    this.#armed.clear();
  }

  /** Arms (or re-arms) the timer `key` to run out at `dueAt`, epoch ms. */
  async arm(key: string, kind: string, householdId: string, dueAt: number, payload: unknown): Promise<void> {
    const armedAt = this.#clock.now();
    await this.#store.put({ key, kind, householdId, dueAt, armedAt, payload });
    this.#schedule(key, dueAt, armedAt);
  }

  /** Cancels the timer `key`; true when one was pending. */
  cancel(key: string): Promise<boolean> {
    this.#unschedule(key);
    return this.#store.delete(key);
  }

  /** The pending timer `key`, if any. */
  async pending<P>(key: string): Promise<{ dueAt: number; armedAt: number; payload: P } | null> {
    const t = await this.#store.get(key);
    return t ? { dueAt: t.dueAt, armedAt: t.armedAt, payload: t.payload as P } : null;
  }

  /** The pending timers of a kind whose key starts with `keyPrefix`, soonest first. */
  async list<P>(kind: string, keyPrefix: string): Promise<Array<PendingTimer<P>>> {
    return (await this.#store.list({ kind, keyPrefix })).map((t: StoredTimer) => ({
      key: t.key,
      dueAt: t.dueAt,
      armedAt: t.armedAt,
      payload: t.payload as P,
    }));
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
        return this.#fire(key, dueAt, armedAt, this.#clock.now());
      },
      Math.max(0, dueAt - this.#clock.now()),
    );
    this.#armed.set(key, handle);
  }

  /** Claims and runs a timer that ran out at `firedAt`. Never rejects: a failure is logged. */
  async #fire(key: string, dueAt: number, armedAt: number, firedAt: number): Promise<void> {
    let kind: string | null = null;
    try {
      await this.#tx.transaction(async () => {
        // re-armed or cancelled meanwhile, or fired by another process: nothing to claim
        const claimed = await this.#store.claim(key, dueAt, armedAt);
        if (!claimed) return;
        kind = claimed.kind;
        const handler = this.#handlers.get(claimed.kind);
        if (!handler) {
          this.#log.error({ key, kind }, 'rule timer without a handler dropped');
          return;
        }
        try {
          await handler({
            key,
            kind: claimed.kind,
            householdId: claimed.householdId,
            armedAt,
            dueAt,
            firedAt,
            late: dueAt < this.#startedAt,
            payload: claimed.payload,
          });
        } catch (err) {
          // As before the store was async: the timer is spent, what the handler did so far stays.
          this.#log.error({ err, key, kind }, 'rule timer handler failed');
        }
      });
    } catch (err) {
      this.#log.error({ err, key, kind }, 'rule timer could not be fired');
    }
  }
}
