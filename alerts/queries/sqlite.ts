import type { Db } from '../../kernel/db.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import { readSlaRows } from '../incidents/sla-rows.ts';
import { createSqliteAlarmStore } from '../store/sqlite-alarms.ts';
import { nullableNum } from '../store/sqlite-rows.ts';
import { createSqliteSlaStore } from '../store/sqlite-sla.ts';
import type { AlertsQueries } from './types.ts';

const LATEST_BASELINE = `SELECT days, first_motion_min, first_water_min, daily_liters FROM alert_baselines
  WHERE household_id = ? ORDER BY computed_at DESC LIMIT 1`;
const AWAY_PERIODS =
  'SELECT household_id, until, reason, set_by, set_at FROM away_periods ORDER BY household_id';

const OPEN_INCIDENT_COUNTS = `SELECT class, state, COUNT(*) AS n FROM incidents
  WHERE state NOT IN ('resolved', 'cancelled') GROUP BY class, state`;

/**
 * The alerts room's queries on the embedded store. `households`: the registry's, for the SLA rows' grids
 * (the registry's table is read through its interface, not joined).
 */
export function createSqliteAlertsQueries(
  db: Db,
  households: Pick<Registry['households'], 'get'>,
): AlertsQueries {
  const conn = connectionOf(db);
  const alarms = createSqliteAlarmStore(db);
  const sla = createSqliteSlaStore(db);
  return {
    latestBaseline: (householdId) =>
      conn.use(() => {
        // one row per resident of the home: the newest
        const b = conn.statement(LATEST_BASELINE).get(householdId);
        return b
          ? {
              days: Number(b.days),
              firstMotionMin: nullableNum(b.first_motion_min),
              firstWaterMin: nullableNum(b.first_water_min),
              dailyLiters: nullableNum(b.daily_liters),
            }
          : null;
      }),
    openAlarms: (filter = {}) => alarms.list({ ...filter, openOnly: true }),
    openIncidentCounts: () =>
      conn.use(() =>
        conn
          .statement(OPEN_INCIDENT_COUNTS)
          .all()
          .map((r) => ({ class: String(r.class), state: String(r.state), count: Number(r.n) })),
      ),
    slaRows: (from, to) => readSlaRows(sla, households, from, to),
    slaDailyReport: (day) => sla.getDaily(day),
    declaredAwayPeriods: () =>
      conn.use(() =>
        conn
          .statement(AWAY_PERIODS)
          .all()
          .map((r) => ({
            householdId: String(r.household_id),
            until: Number(r.until),
            reason: String(r.reason),
            setBy: String(r.set_by),
            setAt: Number(r.set_at),
          })),
      ),
  };
}
