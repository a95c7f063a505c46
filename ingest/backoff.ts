/** Retry timing for the InfluxDB writer: exponential backoff with jitter, and Retry-After. */

/** ms before the first retry (before jitter). */
export const BACKOFF_BASE_MS = 500;
/** A Retry-After longer than this (ms, 15 minutes) is taken as this: a misconfigured proxy must not park the writer for days. */
export const RETRY_AFTER_CAP_MS = 15 * 60_000;

/**
 * ms to wait before retry number `attempt` (1 = first retry): base × 2^(attempt−1), capped at `maxMs`,
 * then "equal jitter": a uniformly random point in its upper half, so many hubs recovering from the same
 * outage do not retry in lockstep, yet the wait never collapses to zero.
 */
export function backoffDelay(attempt: number, maxMs: number, random: () => number = Math.random): number {
  const exp = Math.min(maxMs, BACKOFF_BASE_MS * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(exp / 2 + (exp / 2) * random());
}

/**
 * A Retry-After header in ms (RFC 9110 §10.2.3): delay-seconds — SECONDS, not the milliseconds the
 * client library assumes — or an HTTP-date, measured against `nowMs`. null when absent or unreadable.
 */
export function retryAfterMs(header: string | string[] | undefined, nowMs: number): number | null {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Math.min(RETRY_AFTER_CAP_MS, Number(value) * 1000);
  const at = Date.parse(value);
  if (Number.isNaN(at)) return null;
  return Math.min(RETRY_AFTER_CAP_MS, Math.max(0, at - nowMs));
}
