import type { Clock } from '../../kernel/clock.ts';

/**
 * Counts events per key in a sliding window (e.g. failed logins per address) on the injected clock.
 * Bounded: at most `maxKeys` keys are kept; past the bound, expired keys are pruned first and then the
 * oldest keys are dropped (an attacker spraying user names can only forget old, already-slow entries).
 */
export class SlidingWindowLimiter {
  readonly #clock: Clock;
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxKeys: number;
  readonly #hits = new Map<string, number[]>();

  constructor(opts: { clock: Clock; limit: number; windowMs: number; maxKeys?: number }) {
    this.#clock = opts.clock;
    this.#limit = opts.limit;
    this.#windowMs = opts.windowMs;
    this.#maxKeys = opts.maxKeys ?? 10_000;
  }

  #live(key: string, now: number): number[] {
    const hits = (this.#hits.get(key) ?? []).filter((t) => t > now - this.#windowMs);
    if (hits.length === 0) this.#hits.delete(key);
    else this.#hits.set(key, hits);
    return hits;
  }

  /** Milliseconds until `key` may try again, or 0 when it is under the limit. */
  retryAfterMs(key: string): number {
    const now = this.#clock.now();
    const hits = this.#live(key, now);
    if (hits.length < this.#limit) return 0;
    // The oldest hit that still counts must leave the window first.
    const oldest = hits[hits.length - this.#limit] ?? now;
    return Math.max(1, oldest + this.#windowMs - now);
  }

  /** Counts one event now; returns its time, for `release`. */
  hit(key: string): number {
    const now = this.#clock.now();
    const hits = this.#live(key, now);
    hits.push(now);
    // Only the last `limit` hits decide; older ones need not be kept.
    this.#hits.delete(key);
    this.#hits.set(key, hits.slice(-this.#limit));
    if (this.#hits.size > this.#maxKeys) this.#evict(now);
    return now;
  }

  /** Takes back one event counted at `at` (an attempt that turned out fine). */
  release(key: string, at: number): void {
    const hits = this.#hits.get(key);
    const i = hits?.indexOf(at) ?? -1;
    if (hits && i >= 0) hits.splice(i, 1);
  }

  #evict(now: number): void {
    for (const key of [...this.#hits.keys()]) this.#live(key, now);
    // Map order is insertion order, and hit() re-inserts: the first keys are the least recently hit.
    for (const key of this.#hits.keys()) {
      if (this.#hits.size <= this.#maxKeys) break;
      this.#hits.delete(key);
    }
  }
}
