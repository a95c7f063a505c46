/**
 * A device's telemetry allowance (device-protocol.md "Bad input": sustained 5 messages/s, bursts of 50),
 * applied as backpressure for acknowledged telemetry.
 *
 * QoS 1/2 telemetry above the rate waits here, in arrival order per device, until the allowance refills.
 * aedes reads a connection's next chunk only once every packet of the current one has passed
 * authorizePublish, so while a message waits the hub reads nothing more from that socket: the device's
 * backlog stays in its own send queue and TCP window, and every PUBACK still means "on disk" (the way
 * EMQX and HiveMQ pause a socket at a rate limit). QoS 0 telemetry above the rate is refused instead.
 *
 * Bound: what waits is at most the packets of one chunk aedes has already parsed per connection (the
 * stream's high-water mark, ~16 KiB), so memory per throttled device stays small.
 */
import type { Clock, TimerHandle } from '../kernel/clock.ts';
import { KeyedTokenBucket } from '../kernel/token-bucket.ts';

/** The connection a waiting message came on (see PublishContext). */
export interface WaitingConnection {
  /** false once the connection has closed: its messages are dropped unacknowledged (the device resends) */
  connected(): boolean;
  /** refreshes the broker's keep-alive timer: a throttled device is alive, we just are not reading it */
  keepAlive(): void;
}

interface Waiter {
  connection: WaitingConnection;
  resolve: (admitted: boolean) => void;
}

interface Line {
  waiters: Waiter[];
  timer: TimerHandle | null;
}

export interface RateGateOptions {
  clock: Clock;
  /** messages a device may send at once */
  burst: number;
  /** sustained messages per second */
  perSecond: number;
}

export type Admission = 'admitted' | 'refused' | Promise<boolean>;

export class TelemetryRateGate {
  readonly #clock: Clock;
  readonly #bucket: KeyedTokenBucket;
  readonly #lines = new Map<string, Line>();
  #waiting = 0;
  /** messages that had to wait since start */
  delayed = 0;

  constructor(opts: RateGateOptions) {
    this.#clock = opts.clock;
    this.#bucket = new KeyedTokenBucket(opts);
  }

  /** Messages waiting for their device's allowance now. */
  get waiting(): number {
    return this.#waiting;
  }

  /**
   * 'admitted': go on now. 'refused': over the rate and not worth waiting for (QoS 0). A promise: the
   * message waits its turn; it resolves true when admitted, false when its connection closed meanwhile.
   */
  admit(key: string, qos: 0 | 1 | 2, connection: WaitingConnection): Admission {
    const line = this.#lines.get(key);
    // Behind others of the same device: wait, so the device's messages keep their order.
    if (!line && this.#bucket.take(key)) return 'admitted';
    if (qos === 0) return 'refused';
    this.delayed++;
    this.#waiting++;
    return new Promise<boolean>((resolve) => {
      const l = line ?? { waiters: [], timer: null };
      l.waiters.push({ connection, resolve });
      if (!line) {
        this.#lines.set(key, l);
        this.#schedule(key, l);
      }
    });
  }

  /** Resolves every waiting message as not admitted (the hub is stopping). */
  release(): void {
    for (const [key, line] of this.#lines) {
      if (line.timer) this.#clock.clearTimeout(line.timer);
      for (const w of line.waiters) w.resolve(false);
      this.#lines.delete(key);
    }
    this.#waiting = 0;
  }

  #schedule(key: string, line: Line): void {
    const waitMs = Math.max(1, Math.ceil(this.#bucket.msUntilToken(key)));
    line.timer = this.#clock.setTimeout(() => this.#wake(key, line), waitMs);
  }

  #wake(key: string, line: Line): void {
    line.timer = null;
    for (;;) {
      const next = line.waiters[0];
      if (!next) break;
      if (!next.connection.connected()) {
        // Gone: not admitted and no allowance spent on it.
        line.waiters.shift();
        this.#waiting--;
        next.resolve(false);
        continue;
      }
      if (!this.#bucket.take(key)) break;
      line.waiters.shift();
      this.#waiting--;
      next.connection.keepAlive();
      next.resolve(true);
    }
    if (line.waiters.length === 0) this.#lines.delete(key);
    else this.#schedule(key, line);
  }
}
