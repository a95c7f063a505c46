import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { LocalMetric } from '../influx-history-aggregator.ts';
import type { HourlyTotals } from './hourly-totals.ts';

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
