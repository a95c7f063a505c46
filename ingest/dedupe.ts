import type { IntakeStore } from './intake-store.ts';

interface Recent {
  hash: string;
  at: number;
  /** resolves once the first copy is durable; a duplicate is acknowledged only after it */
  durable: Promise<void>;
}

export type DedupeVerdict = { duplicate: false } | { duplicate: true; durable: Promise<void> };

/**
 * Recognises retransmissions by (device, seq).
 *
 * A message is a duplicate when the same device sent the same seq with the same payload bytes within
 * `windowMs`. A device that reboots and starts its seq again from 0 sends different bytes (another
 * event, another `ts`) or does so after the window, so it is taken as new, not as a duplicate for ever.
 * The one ambiguous case, identical bytes under an already-seen seq inside the window, is treated as a
 * retransmission: the first copy already raised whatever it raises.
 */
export class SeqDeduper {
  readonly #store: IntakeStore;
  readonly #windowMs: number;
  readonly #maxRecent: number;
  readonly #recent = new Map<string, Recent>();
  /**
   * The newest entry the store had at the first check (a previous run's), -Infinity when none: only
   * entries up to it can be in the store and not in #recent. Read once, at the first check.
   */
  #storedBeforeAt: number | null = null;
  /** the newest `at` of an entry dropped from #recent to bound it */
  #newestEvictedAt = Number.NEGATIVE_INFINITY;

  constructor(store: IntakeStore, windowMs = 10 * 60_000, maxRecent = 100_000) {
    this.#store = store;
    this.#windowMs = windowMs;
    this.#maxRecent = maxRecent;
  }

  check(deviceId: string, seq: number, hash: string, now: number): DedupeVerdict {
    const key = `${deviceId}\u0000${seq}`;
    const recent = this.#recent.get(key);
    if (recent) {
      if (recent.hash === hash && now - recent.at <= this.#windowMs)
        return { duplicate: true, durable: recent.durable };
      return { duplicate: false };
    }
    this.#storedBeforeAt ??= this.#store.newestSeenAt() ?? Number.NEGATIVE_INFINITY;
    // Every entry of the window is in #recent once the previous run's entries and the evicted ones are
    // out of it: then the store (a lookup per message) can only know older, out-of-window ones.
    const windowStart = now - this.#windowMs;
    if (this.#storedBeforeAt < windowStart && this.#newestEvictedAt < windowStart)
      return { duplicate: false };
    const stored = this.#store.seen(deviceId, seq);
    if (stored && stored.hash === hash && now - stored.at <= this.#windowMs) {
      return { duplicate: true, durable: Promise.resolve() };
    }
    return { duplicate: false };
  }

  /** Remembers an accepted message; forget it again if its commit fails. */
  remember(deviceId: string, seq: number, hash: string, at: number, durable: Promise<void>): void {
    const key = `${deviceId}\u0000${seq}`;
    this.#recent.delete(key);
    this.#recent.set(key, { hash, at, durable });
    if (this.#recent.size > this.#maxRecent) {
      // Map keeps insertion order: drop the oldest; the store still answers for it.
      const oldest = this.#recent.keys().next().value;
      if (oldest !== undefined) {
        const evictedAt = this.#recent.get(oldest)?.at ?? Number.POSITIVE_INFINITY;
        this.#newestEvictedAt = Math.max(this.#newestEvictedAt, evictedAt);
        this.#recent.delete(oldest);
      }
    }
  }

  forget(deviceId: string, seq: number): void {
    this.#recent.delete(`${deviceId}\u0000${seq}`);
  }

  get windowMs(): number {
    return this.#windowMs;
  }
}
