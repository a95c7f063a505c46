import type { LocalMetric } from '../influx-history-aggregator.ts';
import type { HistoryRange } from '../influx-history-types.ts';

/** One metric of a household in one hour, summed over its devices. */
export interface HourTotal {
  metric: LocalMetric;
  /** epoch ms of the hour's start */
  hour: number;
  /** messages (or events) counted */
  count: number;
  /** the values summed (litres for usage_liters) */
  sum: number;
}

/**
 * The ingest room's hourly aggregates of a household, summed per metric and hour: what the alerts room's
 * baselines are computed from. Always the hub's own local history (hourly_stats), never InfluxDB; read
 * as it stands (the aggregator catches up every few seconds; the baselines read complete past days).
 */
export interface HourlyTotals {
  /** The hours in [from, to) that have any of `metrics`, by metric and hour. */
  hourlyTotals(
    householdId: string,
    metrics: readonly LocalMetric[],
    range: HistoryRange,
  ): Promise<HourTotal[]>;
}
