import type { IntakeStore } from './store/types.ts';

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
 *
 * `admit` decides and, for a new message, remembers it in the same step (no other copy can slip in
 * between, also when the store had to be asked): synchronously when the memory knows, through the
 * store (async) only while entries of a previous run or evicted ones can still be inside the window.
 */
export class SeqDeduper {
  readonly #store: Pick<IntakeStore, 'newestSeenAt' | 'seen'>;
  readonly #windowMs: number;
  readonly #maxRecent: number;
  readonly #recent = new Map<string, Recent>();
  /**
   * The newest entry the store had at the first check (a previous run's), -Infinity when none: only
   * entries up to it can be in the store and not in #recent. Read once, at the first check.
   */
  #storedBeforeAt: number | null = null;
  #loadingStoredBefore: Promise<number> | null = null;
  /** the newest `at` of an entry dropped from #recent to bound it */
  #newestEvictedAt = Number.NEGATIVE_INFINITY;

  constructor(
    store: Pick<IntakeStore, 'newestSeenAt' | 'seen'>,
    windowMs = 10 * 60_000,
    maxRecent = 100_000,
  ) {
    this.#store = store;
    this.#windowMs = windowMs;
    this.#maxRecent = maxRecent;
  }

  /**
   * Whether (device, seq, hash) is a retransmission; when it is not, it is remembered at once as pending
   * on `durable` (a duplicate of it waits for that). `forget` it if its commit fails.
   */
  admit(
    deviceId: string,
    seq: number,
    hash: string,
    now: number,
    durable: Promise<void>,
  ): DedupeVerdict | Promise<DedupeVerdict> {
    const key = `${deviceId}\u0000${seq}`;
    const recent = this.#recent.get(key);
    if (recent) return this.#byMemory(key, recent, hash, now, durable);
    if (this.#storedBeforeAt !== null && !this.#mayBeStored(now)) {
      this.#remember(key, hash, now, durable);
      return { duplicate: false };
    }
    return this.#byStore(key, deviceId, seq, hash, now, durable);
  }

  /** Drops what `admit` remembered with `durable` (its commit failed): a resend is taken as new. */
  forget(deviceId: string, seq: number, durable: Promise<void>): void {
    const key = `${deviceId}\u0000${seq}`;
    if (this.#recent.get(key)?.durable === durable) this.#recent.delete(key);
  }

  get windowMs(): number {
    return this.#windowMs;
  }

  #byMemory(key: string, recent: Recent, hash: string, now: number, durable: Promise<void>): DedupeVerdict {
    if (recent.hash === hash && now - recent.at <= this.#windowMs)
      return { duplicate: true, durable: recent.durable };
    this.#remember(key, hash, now, durable);
    return { duplicate: false };
  }

  /**
   * Every entry of the window is in #recent once the previous run's entries and the evicted ones are
   * out of it: then the store (a lookup per message) can only know older, out-of-window ones.
   */
  #mayBeStored(now: number): boolean {
    const windowStart = now - this.#windowMs;
    return !(
      (this.#storedBeforeAt ?? Number.POSITIVE_INFINITY) < windowStart && this.#newestEvictedAt < windowStart
    );
  }

  async #byStore(
    key: string,
    deviceId: string,
    seq: number,
    hash: string,
    now: number,
    durable: Promise<void>,
  ): Promise<DedupeVerdict> {
    if (this.#storedBeforeAt === null) {
      this.#loadingStoredBefore ??= this.#store
        .newestSeenAt()
        .then((at) => at ?? Number.NEGATIVE_INFINITY)
        .finally(() => {
          this.#loadingStoredBefore = null;
        });
      this.#storedBeforeAt = await this.#loadingStoredBefore;
    }
    const stored = this.#mayBeStored(now) ? await this.#store.seen(deviceId, seq) : null;
    // A copy admitted while the store answered is newer than what the store knows.
    const recent = this.#recent.get(key);
    if (recent) return this.#byMemory(key, recent, hash, now, durable);
    if (stored && stored.hash === hash && now - stored.at <= this.#windowMs)
      return { duplicate: true, durable: Promise.resolve() };
    this.#remember(key, hash, now, durable);
    return { duplicate: false };
  }

  #remember(key: string, hash: string, at: number, durable: Promise<void>): void {
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
}
