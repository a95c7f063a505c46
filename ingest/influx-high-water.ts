import type { EventBus } from '../kernel/bus.ts';
import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { OutboxStore } from './store/types.ts';

/** ms between outbox depth checks (COUNT(*) walks the outbox, so not on every batch). */
export const HIGH_WATER_CHECK_MS = 5_000;

export interface HighWaterDeps {
  outbox: Pick<OutboxStore, 'depth' | 'oldestEnqueuedAt' | 'deadLetterCount'>;
  /** told the dead letter's size at each check (its gauge: influx-metrics.ts) */
  deadLetters?: (stored: number) => void;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  bus: EventBus;
  /** rows */
  limit: number;
}

/**
 * Watches the outbox against its configured high-water mark, with or without InfluxDB: crossing it
 * logs a warning, sets hub_influx_outbox_above_high_water and emits `outboxHighWater` (for the incident
 * system, once it exists); falling back below logs and clears. Nothing is ever dropped. The gauges show
 * the last check (the store answers asynchronously, a scrape does not wait for it).
 */
export class OutboxHighWater {
  readonly #d: HighWaterDeps;
  #above = false;
  #depth = 0;
  #oldestEnqueuedAt: number | null = null;
  #timer: TimerHandle | null = null;
  #running = false;
  /** the check in progress, which stop waits for */
  #checking: Promise<void> | null = null;

  constructor(deps: HighWaterDeps) {
    this.#d = deps;
  }

  get above(): boolean {
    return this.#above;
  }

  /** Depth at the last check. */
  get depth(): number {
    return this.#depth;
  }

  /** Resolves once the first check is done. */
  async start(): Promise<void> {
    const { metrics, clock } = this.#d;
    metrics.gauge(
      'hub_influx_outbox_above_high_water',
      'Outbox above its high-water mark (influxOutboxMaxRows): 1, else 0',
      () => (this.#above ? 1 : 0),
    );
    metrics.gauge('hub_influx_outbox_oldest_age_seconds', 'Age of the oldest outbox entry, s', () => {
      const oldest = this.#oldestEnqueuedAt;
      return oldest === null ? 0 : Math.max(0, (clock.now() - oldest) / 1000);
    });
    this.#running = true;
    await this.check();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) this.#d.clock.clearTimeout(this.#timer);
    this.#timer = null;
    await this.#checking;
  }

  /** Checks now and schedules the next check. Never rejects. */
  check(): Promise<void> {
    const checking = this.#check().finally(() => {
      if (this.#checking === checking) this.#checking = null;
    });
    this.#checking = checking;
    return checking;
  }

  async #check(): Promise<void> {
    const { outbox, clock, log, bus, limit } = this.#d;
    if (this.#timer) clock.clearTimeout(this.#timer);
    this.#timer = null;
    try {
      this.#depth = await outbox.depth();
      this.#oldestEnqueuedAt = await outbox.oldestEnqueuedAt();
      if (this.#d.deadLetters) this.#d.deadLetters(await outbox.deadLetterCount());
      const above = this.#depth > limit;
      if (above !== this.#above) {
        this.#above = above;
        const at = clock.now();
        if (above)
          log.warn(
            { depth: this.#depth, limit },
            'InfluxDB outbox above its high-water mark: telemetry is not reaching InfluxDB fast enough',
          );
        else log.info({ depth: this.#depth, limit }, 'InfluxDB outbox back below its high-water mark');
        await bus.emit('outboxHighWater', { above, depth: this.#depth, limit, at });
      }
    } catch (err) {
      log.error({ err }, 'outbox depth check failed');
    }
    if (!this.#running) return;
    if (this.#timer) clock.clearTimeout(this.#timer);
    // Not awaited by the clock: check never rejects.
    this.#timer = clock.setTimeout(() => void this.check(), HIGH_WATER_CHECK_MS);
  }
}
