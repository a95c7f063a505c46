/** Opaque handle of a timer started through a Clock. */
export interface TimerHandle {
  readonly id: number;
}

/**
 * Time source and timers for everything that matters (deadlines, heartbeats, rate limits, escalation).
 * Injected so tests can move through 15 minutes in milliseconds.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /**
   * Runs `fn` once after `ms` milliseconds of this clock's time. A promise `fn` returns (async work, such
   * as the alerts room's rule timers) must not reject; only ManualClock.advanceAsync waits for it.
   */
  setTimeout(fn: () => void | Promise<void>, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

let nextId = 1;

export const systemClock: Clock = (() => {
  const timers = new Map<number, NodeJS.Timeout>();
  return {
    now: () => Date.now(),
    setTimeout(fn, ms) {
      const id = nextId++;
      const t = setTimeout(() => {
        timers.delete(id);
        // Not awaited: a timer's async work runs on by itself (and must not reject, see Clock).
        void fn();
      }, ms);
      t.unref();
      timers.set(id, t);
      return { id };
    },
    clearTimeout(handle) {
      const t = timers.get(handle.id);
      if (t) clearTimeout(t);
      timers.delete(handle.id);
    },
  };
})();

type ManualTimer = { at: number; fn: () => void | Promise<void> };

/** One turn of the event loop: every microtask queued so far (a chain of awaited store calls) has run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A clock tests move by hand; timers fire, in order, as `advance` passes their time. `advance` is
 * synchronous: a timer whose work is async (it returns a promise: the alerts room's rule timers, whose
 * store calls are awaited) finishes after it returns, with the clock already at the end. `advanceAsync`
 * is the same walk, waiting for each timer's work (and one turn of the event loop, for what it set off)
 * before moving on, so that work runs at its own time and a timer it arms on the way fires too.
 */
export class ManualClock implements Clock {
  #now: number;
  readonly #timers = new Map<number, ManualTimer>();
  constructor(startMs = Date.parse('2026-01-01T00:00:00Z')) {
    this.#now = startMs;
  }
  now(): number {
    return this.#now;
  }
  setTimeout(fn: () => void | Promise<void>, ms: number): TimerHandle {
    const id = nextId++;
    this.#timers.set(id, { at: this.#now + Math.max(0, ms), fn });
    return { id };
  }
  clearTimeout(handle: TimerHandle): void {
    this.#timers.delete(handle.id);
  }
  /** The next timer due by `target`, taken off the list, with the clock moved to its time. */
  #takeNext(target: number): ManualTimer | null {
    let next: [number, ManualTimer] | undefined;
    for (const entry of this.#timers)
      if (entry[1].at <= target && (!next || entry[1].at < next[1].at)) next = entry;
    if (!next) return null;
    this.#timers.delete(next[0]);
    this.#now = Math.max(this.#now, next[1].at);
    return next[1];
  }
  /** Moves time forward by `ms` milliseconds, firing every timer that falls due on the way. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (let next = this.#takeNext(target); next; next = this.#takeNext(target)) {
      // Not awaited here (see the class comment): advanceAsync waits for a timer's async work.
      void next.fn();
    }
    this.#now = target;
  }
  /**
   * Moves time forward by `ms` milliseconds like `advance`, but each timer's work (its promise, and one
   * turn of the event loop after it) is done before the clock moves on to the next.
   */
  async advanceAsync(ms: number): Promise<void> {
    const target = this.#now + ms;
    for (let next = this.#takeNext(target); next; next = this.#takeNext(target)) {
      await next.fn();
      await nextTurn();
    }
    this.#now = target;
    await nextTurn();
  }
  set(ms: number): void {
    this.#now = ms;
  }
}
