/**
 * Drains the intake outbox into InfluxDB: the outbox (on disk) is the buffer, the client library the
 * pipe. One request in flight at a time, batches in message-id order, so points reach InfluxDB in
 * receive order, per device too. An outbox entry is removed only after a 2xx (or once it is set aside
 * in the dead letter); a batch sent again after a lost answer rewrites identical points (time and tags
 * derive from the stored message, influx-schema.ts), which InfluxDB overwrites: exactly once in effect.
 *
 * Failure policy: network errors, timeouts, 5xx, 429 (and setup errors such as 401/404) are retried
 * forever with exponential backoff and jitter on the injected clock, or after Retry-After seconds when
 * InfluxDB sends one; 413 splits the batch in halves; 400/422 bisects it until the refused lines are
 * alone, writes the others and moves the refused ones to the dead letter with InfluxDB's message.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventBus } from '../kernel/bus.ts';
import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { HubConfig } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import { backoffDelay } from './backoff.ts';
import { OutboxHighWater } from './influx-high-water.ts';
import { InfluxWriterMetrics } from './influx-metrics.ts';
import { toLine } from './influx-schema.ts';
import { InfluxTransport, type WriteApiVersion, type WriteFailure } from './influx-transport.ts';
import type { DeadLetterInput, OutboxRow, OutboxStore } from './store/types.ts';

/** ms between outbox polls when idle; a safety net, since accepted messages wake the writer at once. */
export const IDLE_POLL_MS = 1_000;
/**
 * Lines serialized between two turns of the event loop (~10–20 µs each): a 5000-line batch must not hold
 * the broker's acknowledgements for 100 ms.
 */
const LINES_PER_TURN = 500;
/** While retrying, a warning is logged for the first failure and then every this many. */
const LOG_EVERY_FAILURES = 10;

export interface InfluxWriterDeps {
  /** the ingest room's outbox and dead letter (store/types.ts) */
  outbox: OutboxStore;
  config: HubConfig;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  bus: EventBus;
  /** Jitter source in [0, 1); Math.random by default. */
  random?: () => number;
}

export interface InfluxWriterStatus {
  /** false: no influxUrl, the outbox only fills */
  configured: boolean;
  state: 'stopped' | 'idle' | 'writing' | 'waiting';
  /** epoch ms of the next retry while waiting, else null */
  retryAt: number | null;
  api: WriteApiVersion | null;
  lastError: string | null;
}

export interface InfluxWriter {
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): InfluxWriterStatus;
}

interface Line {
  row: OutboxRow;
  text: string;
}

class Stopped extends Error {}

export function createInfluxWriter(deps: InfluxWriterDeps): InfluxWriter {
  return new Writer(deps);
}

class Writer implements InfluxWriter {
  readonly #d: InfluxWriterDeps;
  readonly #log: Logger;
  readonly #outbox: OutboxStore;
  #highWater: OutboxHighWater | null = null;
  #transport: InfluxTransport | null = null;
  #running = false;
  #loop: Promise<void> | null = null;
  #abort: AbortController | null = null;
  #sleep: { timer: TimerHandle; resolve: () => void; wakeable: boolean } | null = null;
  /** New messages were accepted since the last outbox read. */
  #nudged = false;
  #state: InfluxWriterStatus['state'] = 'stopped';
  #retryAt: number | null = null;
  #lastError: string | null = null;
  /** Consecutive failed requests; 0 after a success. */
  #failures = 0;
  #metrics: InfluxWriterMetrics | null = null;

  constructor(deps: InfluxWriterDeps) {
    this.#d = deps;
    this.#outbox = deps.outbox;
    this.#log = deps.log.child({ part: 'influx-writer' });
  }

  status(): InfluxWriterStatus {
    return {
      configured: Boolean(this.#d.config.influxUrl),
      state: this.#state,
      retryAt: this.#retryAt,
      api: this.#transport?.api ?? null,
      lastError: this.#lastError,
    };
  }

  async start(): Promise<void> {
    const { outbox, config, clock, metrics, bus } = this.#d;
    const writerMetrics = new InfluxWriterMetrics(metrics, await outbox.deadLetterCount());
    this.#metrics = writerMetrics;
    this.#highWater = new OutboxHighWater({
      outbox,
      deadLetters: (n) => writerMetrics.deadLetterStored(n),
      clock,
      log: this.#log,
      metrics,
      bus,
      limit: config.influxOutboxMaxRows,
    });
    await this.#highWater.start();
    if (!config.influxUrl) {
      this.#log.info('no InfluxDB configured (influxUrl): telemetry stays in the outbox');
      return;
    }
    this.#transport = new InfluxTransport({
      url: config.influxUrl,
      database: config.influxDatabase,
      org: config.influxOrg,
      token: config.influxToken,
      api: config.influxApi,
      timeoutMs: config.influxTimeoutMs,
      now: () => clock.now(),
    });
    bus.on('messageAccepted', 'influx-writer', () => this.#nudge());
    this.#running = true;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#d.bus.removeOwner('influx-writer');
    await this.#highWater?.stop();
    this.#abort?.abort();
    this.#wake(true);
    await this.#loop;
    this.#loop = null;
    this.#state = 'stopped';
  }

  #nudge(): void {
    this.#nudged = true;
    if (this.#sleep?.wakeable) this.#wake(false);
  }

  #sleepFor(ms: number, wakeable: boolean): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.#d.clock.setTimeout(() => {
        this.#sleep = null;
        resolve();
      }, ms);
      this.#sleep = { timer, resolve, wakeable };
    });
  }

  #wake(evenIfNotWakeable: boolean): void {
    const sleep = this.#sleep;
    if (!sleep || !(sleep.wakeable || evenIfNotWakeable)) return;
    this.#d.clock.clearTimeout(sleep.timer);
    this.#sleep = null;
    sleep.resolve();
  }

  async #run(): Promise<void> {
    const { config } = this.#d;
    while (this.#running) {
      this.#nudged = false;
      let rows: OutboxRow[];
      try {
        rows = await this.#outbox.read(config.influxBatchLines);
      } catch (err) {
        this.#log.error({ err }, 'outbox read failed');
        await this.#sleepFor(IDLE_POLL_MS, false);
        continue;
      }
      if (rows.length === 0) {
        this.#state = 'idle';
        if (!this.#nudged) await this.#sleepFor(IDLE_POLL_MS, true);
        // New data: wait a moment so that one request carries what arrives meanwhile.
        if (this.#running && this.#nudged && config.influxLingerMs > 0)
          await this.#sleepFor(config.influxLingerMs, false);
        continue;
      }
      try {
        await this.#deliver(await this.#lines(rows));
      } catch (err) {
        if (err instanceof Stopped) break;
        // An outbox write failed (disk): keep the rows, try again later.
        this.#log.error({ err }, 'InfluxDB writer failed; retrying');
        await this.#sleepFor(IDLE_POLL_MS, false);
      }
    }
  }

  /** Line protocol of each row; a stored message no point can be made of goes to the dead letter. */
  async #lines(rows: OutboxRow[]): Promise<Line[]> {
    const lines: Line[] = [];
    const unbuildable: DeadLetterInput[] = [];
    for (const [i, row] of rows.entries()) {
      if (i > 0 && i % LINES_PER_TURN === 0) await nextTurn();
      try {
        lines.push({ row, text: toLine(row.messageId, row.body) });
      } catch (err) {
        unbuildable.push(this.#deadLetterOf(row, null, `no point: ${(err as Error).message}`, ''));
      }
    }
    if (unbuildable.length > 0) await this.#setAside(unbuildable);
    return lines;
  }

  #deadLetterOf(row: OutboxRow, status: number | null, error: string, line: string): DeadLetterInput {
    return {
      at: this.#d.clock.now(),
      messageId: row.messageId,
      deviceId: row.deviceId,
      householdId: row.householdId,
      status,
      error,
      line,
    };
  }

  async #setAside(entries: DeadLetterInput[]): Promise<void> {
    await this.#outbox.deadLetter(entries);
    this.#metrics?.deadLettered(entries.length);
    const first = entries[0];
    this.#log.warn(
      {
        count: entries.length,
        messageIds: entries.slice(0, 10).map((e) => e.messageId),
        deviceId: first?.deviceId,
        status: first?.status,
        error: first?.error,
      },
      'lines refused by InfluxDB: moved to the dead letter',
    );
  }

  /** Writes `lines` (in order); resolves once each is in InfluxDB or the dead letter. */
  async #deliver(lines: Line[]): Promise<void> {
    const transport = this.#transport;
    if (lines.length === 0 || !transport) return;
    for (;;) {
      if (!this.#running) throw new Stopped();
      this.#state = 'writing';
      this.#retryAt = null;
      const abort = new AbortController();
      this.#abort = abort;
      const started = performance.now();
      const result = await transport.write(lines.map((l) => l.text).join('\n'), abort.signal);
      this.#abort = null;
      if (result.ok) {
        await this.#written(lines, performance.now() - started);
        return;
      }
      if (!this.#running) throw new Stopped();
      const failure = result.failure;
      if (failure.kind !== 'retry') {
        if (lines.length > 1) {
          // 413: halves fit; 400/422: halve until each refused line is alone, the rest gets written.
          const half = Math.ceil(lines.length / 2);
          await this.#deliver(lines.slice(0, half));
          await this.#deliver(lines.slice(half));
          return;
        }
        await this.#setAside(
          lines.map((l) => this.#deadLetterOf(l.row, failure.status, failure.message, l.text)),
        );
        return;
      }
      await this.#backOff(failure);
    }
  }

  async #written(lines: Line[], latencyMs: number): Promise<void> {
    await this.#outbox.written(lines.map((l) => l.row.messageId));
    this.#metrics?.written(lines.length, latencyMs);
    if (this.#failures > 0)
      this.#log.info({ failures: this.#failures }, 'InfluxDB writes resumed; draining the outbox');
    this.#failures = 0;
    this.#lastError = null;
  }

  async #backOff(failure: Extract<WriteFailure, { kind: 'retry' }>): Promise<void> {
    const { clock, config, random } = this.#d;
    this.#failures += 1;
    this.#metrics?.retried();
    const delay = failure.retryAfterMs ?? backoffDelay(this.#failures, config.influxRetryMaxMs, random);
    this.#lastError = failure.message;
    this.#state = 'waiting';
    this.#retryAt = clock.now() + delay;
    if (this.#failures === 1 || this.#failures % LOG_EVERY_FAILURES === 0)
      this.#log.warn(
        {
          status: failure.status,
          error: failure.message,
          failures: this.#failures,
          retryInMs: delay,
          depth: this.#highWater?.depth,
        },
        'InfluxDB write failed: lines stay in the outbox, retrying',
      );
    await this.#sleepFor(delay, false);
  }
}
