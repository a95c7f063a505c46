/** Retry schedule of webhook deliveries: exponential, capped, with jitter. */
export interface BackoffPolicy {
  /** attempts in all, the first included */
  maxAttempts: number;
  /** ms before the 2nd attempt (before jitter) */
  baseMs: number;
  /** ms; no delay grows beyond this */
  maxMs: number;
}

/**
 * Delay before attempt `attempt + 1` after `attempt` failed (attempt ≥ 1), or null when the attempts are
 * spent. "Equal jitter": half of the exponential delay fixed, half random, so delays still grow while
 * many receivers failing together do not retry in lockstep. Within [d/2, d], d = min(maxMs, baseMs·2^(attempt−1)).
 */
export function retryDelay(policy: BackoffPolicy, attempt: number, random: () => number): number | null {
  if (attempt >= policy.maxAttempts) return null;
  const full = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.round(full / 2 + random() * (full / 2));
}
