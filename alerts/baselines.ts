import type { Clock } from '../kernel/clock.ts';
import { type Db, Statements } from '../kernel/db.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Registry } from '../kernel/registry/index.ts';
import type { LocalHours } from './hours.ts';
import type { AlertSettings } from './settings.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** A resident's usual day, from the hub's own hourly aggregates (`hourly_stats`, 1 h resolution). */
export interface Baseline {
  residentId: string;
  householdId: string;
  /** complete local days with data it was computed from */
  days: number;
  /** usual first movement after the night, local minutes after midnight (median of the days' first hours) */
  firstMotionMin: number | null;
  /** median absolute deviation of the first movement, minutes */
  firstMotionSpreadMin: number | null;
  /** usual first water use after the night, local minutes after midnight */
  firstWaterMin: number | null;
  /** usual daily water volume, litres */
  dailyLiters: number | null;
  /** usual motion events in the night hours */
  nightMotion: number | null;
  computedAt: number;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? null) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

interface Day {
  seen: boolean;
  firstMotion: number | null;
  firstWater: number | null;
  liters: number;
  nightMotion: number;
}

/**
 * Personal baselines (issue 5): per resident, from `hourly_stats` of the last `baselineWindowDays` complete
 * local days (never InfluxDB), in `alert_baselines` (migration 5). Recomputed nightly (index.ts, node-cron)
 * and on demand; the rules use one only once it has `baselineMinDays` days, the absolute fallbacks before.
 * The aggregates are per household, so residents sharing a home share its baseline.
 */
export class Baselines {
  readonly #db: Db;
  readonly #sql: Statements;
  readonly #clock: Clock;
  readonly #registry: Registry;
  readonly #hours: LocalHours;
  readonly #settings: AlertSettings;
  readonly #log: Logger;

  constructor(deps: {
    db: Db;
    clock: Clock;
    registry: Registry;
    hours: LocalHours;
    settings: AlertSettings;
    log: Logger;
  }) {
    this.#db = deps.db;
    this.#sql = new Statements(deps.db);
    this.#clock = deps.clock;
    this.#registry = deps.registry;
    this.#hours = deps.hours;
    this.#settings = deps.settings;
    this.#log = deps.log;
  }

  /** Recomputes every resident's baseline; returns how many residents were computed. */
  recomputeAll(): number {
    let n = 0;
    for (const h of this.#registry.households.listSync()) {
      if (this.recompute(h.id)) n += this.#registry.households.residentsSync(h.id).length;
    }
    this.#log.info({ residents: n }, 'baselines recomputed');
    return n;
  }

  /** Recomputes the baselines of one household's residents; false when it has none. */
  recompute(householdId: string): boolean {
    const residents = this.#registry.households.residentsSync(householdId);
    if (residents.length === 0) return false;
    const now = this.#clock.now();
    const today = this.#hours.startOfDay(now);
    const from = today - this.#settings.baselineWindowDays * DAY;
    const rows = this.#sql
      .get(
        `SELECT metric, hour, SUM(count) AS c, SUM(sum) AS s FROM hourly_stats
         WHERE household_id = ? AND metric IN ('seen', 'motion', 'usage_liters') AND hour >= ? AND hour < ?
         GROUP BY metric, hour`,
      )
      .all(householdId, from, today);
    const days = new Map<number, Day>();
    const dayEnd = this.#settings.nightHours.endHour * 60;
    for (const r of rows) {
      const hour = Number(r.hour);
      const start = this.#hours.startOfDay(hour);
      const minute = Math.round((hour - start) / MIN);
      const d = days.get(start) ?? {
        seen: false,
        firstMotion: null,
        firstWater: null,
        liters: 0,
        nightMotion: 0,
      };
      days.set(start, d);
      d.seen = true;
      const c = Number(r.c);
      const s = Number(r.s);
      if (r.metric === 'motion' && c > 0) {
        if (this.#hours.inRange(hour, this.#settings.nightHours)) d.nightMotion += c;
        if (minute >= dayEnd && (d.firstMotion === null || minute < d.firstMotion)) d.firstMotion = minute;
      } else if (r.metric === 'usage_liters') {
        d.liters += s;
        if (s > 0 && minute >= dayEnd && (d.firstWater === null || minute < d.firstWater))
          d.firstWater = minute;
      }
    }
    const list = [...days.values()].filter((d) => d.seen);
    const firstMotions = list.flatMap((d) => (d.firstMotion === null ? [] : [d.firstMotion]));
    const firstMotionMin = median(firstMotions);
    const b = {
      householdId,
      days: list.length,
      firstMotionMin,
      firstMotionSpreadMin:
        firstMotionMin === null ? null : median(firstMotions.map((m) => Math.abs(m - firstMotionMin))),
      firstWaterMin: median(list.flatMap((d) => (d.firstWater === null ? [] : [d.firstWater]))),
      dailyLiters: median(list.map((d) => d.liters)),
      nightMotion: median(list.map((d) => d.nightMotion)),
      computedAt: now,
    };
    const upsert = this.#sql.get(
      `INSERT INTO alert_baselines (resident_id, household_id, days, first_motion_min, first_motion_spread_min,
         first_water_min, daily_liters, night_motion, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(resident_id) DO UPDATE SET household_id = excluded.household_id, days = excluded.days,
         first_motion_min = excluded.first_motion_min, first_motion_spread_min = excluded.first_motion_spread_min,
         first_water_min = excluded.first_water_min, daily_liters = excluded.daily_liters,
         night_motion = excluded.night_motion, computed_at = excluded.computed_at`,
    );
    for (const r of residents) {
      upsert.run(
        r.id,
        householdId,
        b.days,
        b.firstMotionMin,
        b.firstMotionSpreadMin,
        b.firstWaterMin,
        b.dailyLiters,
        b.nightMotion,
        now,
      );
    }
    return true;
  }

  get(residentId: string): Baseline | null {
    const r = this.#sql.get('SELECT * FROM alert_baselines WHERE resident_id = ?').get(residentId);
    if (!r) return null;
    const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
    return {
      residentId,
      householdId: String(r.household_id),
      days: Number(r.days),
      firstMotionMin: num(r.first_motion_min),
      firstMotionSpreadMin: num(r.first_motion_spread_min),
      firstWaterMin: num(r.first_water_min),
      dailyLiters: num(r.daily_liters),
      nightMotion: num(r.night_motion),
      computedAt: Number(r.computed_at),
    };
  }

  /** The baseline when it has enough days for the rules to use, else null (absolute fallbacks). */
  usable(residentId: string | null): Baseline | null {
    if (!residentId) return null;
    const b = this.get(residentId);
    return b && b.days >= this.#settings.baselineMinDays ? b : null;
  }
}
