import type { Clock } from './clock.ts';

interface Bucket {
  tokens: number;
  /** epoch ms of the last refill */
  at: number;
}

export interface TokenBucketOptions {
  clock: Clock;
  /** tokens a key may take at once (a full bucket) */
  burst: number;
  /** tokens a key gets back per second */
  perSecond: number;
  /** keys kept at most; past it the least recently used are forgotten (a forgotten key starts full) */
  maxKeys?: number;
}

/** Options for "n per minute": bursts of n, refilled at n per minute. */
export const perMinute = (n: number) => ({ burst: n, perSecond: n / 60 });

/**
 * Token buckets keyed by a string (a source address, a client id, a device id), on the injected clock:
 * connect-rate limits, device message rates, bounds on what bad input may write.
 */
export class KeyedTokenBucket {
  readonly #clock: Clock;
  readonly #burst: number;
  readonly #perMs: number;
  readonly #maxKeys: number;
  readonly #buckets = new Map<string, Bucket>();

  constructor(opts: TokenBucketOptions) {
    this.#clock = opts.clock;
    this.#burst = opts.burst;
    this.#perMs = opts.perSecond / 1000;
    this.#maxKeys = opts.maxKeys ?? 50_000;
  }

  /** Takes one token for `key`; false when the key has none left (nothing is taken then). */
  take(key: string): boolean {
    const now = this.#clock.now();
    const bucket = this.#refilled(key, now);
    const allowed = bucket.tokens >= 1;
    if (allowed) bucket.tokens -= 1;
    // Re-insert so the Map's order is least recently used first.
    this.#buckets.delete(key);
    this.#buckets.set(key, bucket);
    if (this.#buckets.size > this.#maxKeys) this.#evict();
    return allowed;
  }

  /** ms until `key` has a whole token again (0 when it has one now); nothing is taken. */
  msUntilToken(key: string): number {
    const bucket = this.#refilled(key, this.#clock.now());
    if (bucket.tokens >= 1) return 0;
    return (1 - bucket.tokens) / this.#perMs;
  }

  /** True when `key` has a whole token now; nothing is taken. */
  has(key: string): boolean {
    return this.msUntilToken(key) === 0;
  }

  get size(): number {
    return this.#buckets.size;
  }

  #refilled(key: string, now: number): Bucket {
    const bucket = this.#buckets.get(key);
    if (!bucket) return { tokens: this.#burst, at: now };
    const elapsedMs = Math.max(0, now - bucket.at); // a clock set backwards refills nothing
    bucket.tokens = Math.min(this.#burst, bucket.tokens + elapsedMs * this.#perMs);
    bucket.at = now;
    return bucket;
  }

  #evict(): void {
    for (const key of this.#buckets.keys()) {
      if (this.#buckets.size <= this.#maxKeys) return;
      this.#buckets.delete(key);
    }
  }
}
