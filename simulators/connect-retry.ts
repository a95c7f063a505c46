/**
 * Connects with a bounded number of tries: on a loaded machine a hub may answer a burst of CONNECTs
 * later than MQTT.js waits (its "connack timeout"), and a later try gets in. A refusal is final.
 */

export interface RetryOptions {
  /** tries in all, the first included */
  attempts?: number;
  /** ms before the second try; doubles with each try, with jitter */
  firstDelayMs?: number;
  /** ms, the ceiling of that delay */
  maxDelayMs?: number;
  /** told of each failed try that will be tried again */
  onRetry?: (what: string, attempt: number, err: unknown) => void;
}

export const DEFAULT_ATTEMPTS = 5;

/** Network errors that a later try may not meet (the socket's, Node's `code`). */
const TRANSIENT_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);
/** MQTT 3.1.1 CONNACK 3, "server unavailable": the hub's connect throttle; 4 and 5 (bad secret, not authorized) are final. */
const CONNACK_SERVER_UNAVAILABLE = 3;

/** Whether a failed connect is worth another try: a time-out, a dropped socket, a busy server. */
export function isTransient(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'number') return e.code === CONNACK_SERVER_UNAVAILABLE;
  if (typeof e?.code === 'string') return TRANSIENT_CODES.has(e.code);
  return typeof e?.message === 'string' && /connack timeout|connection closed/i.test(e.message);
}

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * Runs `connect` until it succeeds, at most `attempts` times, waiting between tries; rejects with the
 * cause and the number of tries in the message (what a person reads), never more than once.
 */
export async function connectWithRetry<T>(
  what: string,
  connect: () => Promise<T>,
  o: RetryOptions = {},
): Promise<T> {
  const attempts = o.attempts ?? DEFAULT_ATTEMPTS;
  const first = o.firstDelayMs ?? 500;
  const max = o.maxDelayMs ?? 4000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await connect();
    } catch (err) {
      if (!isTransient(err)) throw new Error(`${what} could not connect: ${messageOf(err)}`, { cause: err });
      if (attempt >= attempts) {
        throw new Error(`${what} could not connect in ${attempts} tries: ${messageOf(err)}`, { cause: err });
      }
      o.onRetry?.(what, attempt, err);
      // Half fixed, half random: a burst of devices that timed out together does not retry together.
      const delay = Math.min(max, first * 2 ** (attempt - 1));
      await new Promise((r) => setTimeout(r, delay / 2 + Math.random() * (delay / 2)));
    }
  }
}
