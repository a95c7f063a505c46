import type { HistogramHandle, Metrics } from '../kernel/metrics.ts';

/** The writer's metrics (outbox age and high water are OutboxHighWater's; depth is the intake's). */
export class InfluxWriterMetrics {
  readonly #latency: HistogramHandle;
  readonly #written: ReturnType<Metrics['counter']>;
  readonly #retries: ReturnType<Metrics['counter']>;
  readonly #deadLettered: ReturnType<Metrics['counter']>;
  /** entries in the dead letter: read at start, then counted as this writer adds them */
  #deadLetterStored = 0;

  constructor(metrics: Metrics, deadLetterStored: number) {
    this.#deadLetterStored = deadLetterStored;
    this.#latency = metrics.histogram(
      'hub_influx_write_seconds',
      'Duration of successful InfluxDB write requests, seconds',
    );
    this.#written = metrics.counter('hub_influx_lines_written_total', 'Lines InfluxDB acknowledged');
    this.#retries = metrics.counter('hub_influx_write_retries_total', 'Failed InfluxDB writes retried later');
    this.#deadLettered = metrics.counter(
      'hub_influx_dead_letter_lines_total',
      'Lines InfluxDB refused, moved to the dead letter',
    );
    metrics.gauge(
      'hub_influx_dead_letter_entries',
      'Entries in the dead letter',
      () => this.#deadLetterStored,
    );
  }

  written(lines: number, latencyMs: number): void {
    this.#written.inc({}, lines);
    this.#latency.observe(latencyMs / 1000);
  }

  retried(): void {
    this.#retries.inc();
  }

  deadLettered(lines: number): void {
    this.#deadLettered.inc({}, lines);
    this.#deadLetterStored += lines;
  }

  /** The dead letter's size as the store last counted it (retention deletes old entries). */
  deadLetterStored(n: number): void {
    this.#deadLetterStored = n;
  }
}
