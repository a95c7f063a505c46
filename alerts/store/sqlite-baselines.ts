import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import { nullableNum } from './sqlite-rows.ts';
import type { BaselineStore } from './types.ts';

const PUT = `INSERT INTO alert_baselines (resident_id, household_id, days, first_motion_min, first_motion_spread_min,
    first_water_min, daily_liters, night_motion, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(resident_id) DO UPDATE SET household_id = excluded.household_id, days = excluded.days,
    first_motion_min = excluded.first_motion_min, first_motion_spread_min = excluded.first_motion_spread_min,
    first_water_min = excluded.first_water_min, daily_liters = excluded.daily_liters,
    night_motion = excluded.night_motion, computed_at = excluded.computed_at`;

/** The residents' baselines (`alert_baselines`, migration 5) on the embedded store. */
export function createSqliteBaselineStore(db: Db): BaselineStore {
  const conn = connectionOf(db);
  return {
    get: (residentId) =>
      conn.use(() => {
        const r = conn.statement('SELECT * FROM alert_baselines WHERE resident_id = ?').get(residentId);
        if (!r) return null;
        return {
          residentId,
          householdId: String(r.household_id),
          days: Number(r.days),
          firstMotionMin: nullableNum(r.first_motion_min),
          firstMotionSpreadMin: nullableNum(r.first_motion_spread_min),
          firstWaterMin: nullableNum(r.first_water_min),
          dailyLiters: nullableNum(r.daily_liters),
          nightMotion: nullableNum(r.night_motion),
          computedAt: Number(r.computed_at),
        };
      }),
    put: (b) =>
      conn.use(() => {
        conn
          .statement(PUT)
          .run(
            b.residentId,
            b.householdId,
            b.days,
            b.firstMotionMin,
            b.firstMotionSpreadMin,
            b.firstWaterMin,
            b.dailyLiters,
            b.nightMotion,
            b.computedAt,
          );
      }),
  };
}
