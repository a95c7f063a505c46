import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The hub's Prometheus metrics, on prom-client: the rooms' counters, gauges and histograms in one
 * registry per hub, plus the process's own (event loop lag, heap, GC, file descriptors, CPU), collected
 * once per process and shown by every hub of it. Names follow Prometheus conventions (`_total`,
 * `_seconds`, `_bytes`); labels never carry household or device ids.
 *
 * Counters keep a copy of their values so `value()` answers synchronously (tests, the health view).
 */
type Labels = Record<string, string>;

const key = (labels: Labels) => JSON.stringify(Object.entries(labels).sort());

let processRegistry: Registry | null = null;
/** The process metrics, registered once: prom-client's collectors are process-wide (observers, timers). */
function processMetrics(): Registry {
  if (!processRegistry) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/** Buckets in seconds for latencies from a fraction of a millisecond to ten seconds. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

export interface HistogramHandle {
  /** one observation: seconds (or the histogram's unit), with its labels */
  observe(value: number, labels?: Labels): void;
}

export class Metrics {
  readonly #registry = new Registry();
  readonly #values = new Map<string, Map<string, number>>();
  readonly #gauges = new Map<string, () => number>();

  /**
   * A counter; `labelNames` are the labels its increments carry (all of them, every time). Without
   * them the first increment's labels fix the set.
   */
  counter(name: string, help: string, labelNames?: readonly string[]) {
    const values = this.#values.get(name) ?? new Map<string, number>();
    this.#values.set(name, values);
    let counter: Counter | null = null;
    const ensure = (labels: Labels): Counter => {
      counter ??=
        (this.#registry.getSingleMetric(name) as Counter | undefined) ??
        new Counter({
          name,
          help,
          labelNames: [...(labelNames ?? Object.keys(labels))],
          registers: [this.#registry],
        });
      return counter;
    };
    if (labelNames) ensure({});
    return {
      inc: (labels: Labels = {}, by = 1) => {
        ensure(labels).inc(labels, by);
        const k = key(labels);
        values.set(k, (values.get(k) ?? 0) + by);
      },
    };
  }

  /** A gauge read at scrape time. */
  gauge(name: string, help: string, collect: () => number): void {
    this.#gauges.set(name, collect);
    if (this.#registry.getSingleMetric(name)) return;
    new Gauge({
      name,
      help,
      registers: [this.#registry],
      collect() {
        this.set(collect());
      },
    });
  }

  /** A gauge with labels, all of its values read at scrape time (e.g. open incidents by class and state). */
  labelledGauge(
    name: string,
    help: string,
    labelNames: readonly string[],
    collect: () => Array<[Labels, number]> | Promise<Array<[Labels, number]>>,
  ) {
    if (this.#registry.getSingleMetric(name)) return;
    new Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.#registry],
      async collect() {
        const values = await collect();
        this.reset();
        for (const [labels, value] of values) this.set(labels, value);
      },
    });
  }

  histogram(name: string, help: string, opts: { buckets?: number[]; labelNames?: readonly string[] } = {}) {
    const histogram =
      (this.#registry.getSingleMetric(name) as Histogram | undefined) ??
      new Histogram({
        name,
        help,
        buckets: opts.buckets ?? LATENCY_BUCKETS,
        labelNames: [...(opts.labelNames ?? [])],
        registers: [this.#registry],
      });
    const counts = this.#values.get(name) ?? new Map<string, number>();
    this.#values.set(name, counts);
    return {
      observe: (value: number, labels: Labels = {}) => {
        histogram.observe(labels, value);
        const k = key(labels);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      },
    } satisfies HistogramHandle;
  }

  /** A counter's value for these labels, a histogram's count of observations, or a gauge's current value; 0 when unknown. */
  value(name: string, labels: Labels = {}): number {
    const gauge = this.#gauges.get(name);
    if (gauge) return gauge();
    return this.#values.get(name)?.get(key(labels)) ?? 0;
  }

  /** The Prometheus text exposition: this hub's metrics and the process's. */
  async render(): Promise<string> {
    const [own, process] = await Promise.all([this.#registry.metrics(), processMetrics().metrics()]);
    return `${own}\n${process}`;
  }
}
