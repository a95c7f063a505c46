import type { Db } from '../kernel/db.ts';
import { connectionOf } from '../kernel/sqlite-connection.ts';
import type { LocalMetric } from './influx-history-aggregator.ts';
import type { HistoryRange } from './influx-history-types.ts';

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

const TOTALS = `SELECT metric, hour, SUM(count) AS c, SUM(sum) AS s FROM hourly_stats
  WHERE household_id = ? AND metric IN (SELECT value FROM json_each(?)) AND hour >= ? AND hour < ?
  GROUP BY metric, hour ORDER BY hour, metric`;

/** HourlyTotals on the embedded store. */
export function createSqliteHourlyTotals(db: Db): HourlyTotals {
  const conn = connectionOf(db);
  return {
    hourlyTotals: (householdId, metrics, { from, to }) =>
      conn.use(() =>
        conn
          .statement(TOTALS)
          .all(householdId, JSON.stringify(metrics), from, to)
          .map((r) => ({
            metric: String(r.metric) as LocalMetric,
            hour: Number(r.hour),
            count: Number(r.c),
            sum: Number(r.s),
          })),
      ),
  };
}
