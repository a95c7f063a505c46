import { type Db, Statements } from '../../kernel/db.ts';
import { AlarmStore } from '../alarm-store.ts';
import { SlaDailyStore } from '../incidents/sla-daily.ts';
import { readSlaRows } from '../incidents/sla-report.ts';
import type { AlertsQueries } from './types.ts';

const nullableNum = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** The alerts room's queries on the embedded store. */
export function createSqliteAlertsQueries(db: Db): AlertsQueries {
  const sql = new Statements(db);
  const alarms = new AlarmStore(db);
  const slaDaily = new SlaDailyStore(db);
  return {
    async latestBaseline(householdId) {
      // one row per resident of the home: the newest
      const b = sql
        .get(
          `SELECT days, first_motion_min, first_water_min, daily_liters FROM alert_baselines
           WHERE household_id = ? ORDER BY computed_at DESC LIMIT 1`,
        )
        .get(householdId);
      return b
        ? {
            days: Number(b.days),
            firstMotionMin: nullableNum(b.first_motion_min),
            firstWaterMin: nullableNum(b.first_water_min),
            dailyLiters: nullableNum(b.daily_liters),
          }
        : null;
    },
    async openAlarms(filter = {}) {
      return alarms.list({ ...filter, openOnly: true });
    },
    async slaRows(from, to) {
      return readSlaRows(db, from, to);
    },
    async slaDailyReport(day) {
      return slaDaily.get(day);
    },
    async declaredAwayPeriods() {
      return sql
        .get('SELECT household_id, until, reason, set_by, set_at FROM away_periods ORDER BY household_id')
        .all()
        .map((r) => ({
          householdId: String(r.household_id),
          until: Number(r.until),
          reason: String(r.reason),
          setBy: String(r.set_by),
          setAt: Number(r.set_at),
        }));
    },
  };
}
