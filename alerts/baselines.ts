import type { HourlyTotals } from '../ingest/queries/hourly-totals.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Registry } from '../kernel/registry/index.ts';
import type { LocalHours } from './hours.ts';
import type { AlertSettings } from './settings.ts';
import type { Baseline, BaselineStore } from './store/types.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export type { Baseline };

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
 * Personal baselines (issue 5): per resident, from the ingest room's hourly aggregates of the last
 * `baselineWindowDays` complete local days (its local history, never InfluxDB: ingest/hourly-totals.ts),
 * kept in the BaselineStore (store/types.ts). Recomputed nightly (index.ts, node-cron)
 * and on demand; the rules use one only once it has `baselineMinDays` days, the absolute fallbacks before.
 * The aggregates are per household, so residents sharing a home share its baseline.
 */
export class Baselines {
  readonly #store: BaselineStore;
  readonly #hourly: HourlyTotals;
  readonly #clock: Clock;
  readonly #registry: Registry;
  readonly #hours: LocalHours;
  readonly #settings: AlertSettings;
  readonly #log: Logger;

  constructor(deps: {
    store: BaselineStore;
    /** the ingest room's hourly aggregates of a household */
    hourly: HourlyTotals;
    clock: Clock;
    registry: Registry;
    hours: LocalHours;
    settings: AlertSettings;
    log: Logger;
  }) {
    this.#store = deps.store;
    this.#hourly = deps.hourly;
    this.#clock = deps.clock;
    this.#registry = deps.registry;
    this.#hours = deps.hours;
    this.#settings = deps.settings;
    this.#log = deps.log;
  }

  /** Recomputes every resident's baseline; returns how many residents were computed. */
  async recomputeAll(): Promise<number> {
    let n = 0;
    for (const h of await this.#registry.households.list()) {
      if (await this.recompute(h.id)) n += (await this.#registry.households.residents(h.id)).length;
    }
    this.#log.info({ residents: n }, 'baselines recomputed');
    return n;
  }

  /** Recomputes the baselines of one household's residents; false when it has none. */
  async recompute(householdId: string): Promise<boolean> {
    const residents = await this.#registry.households.residents(householdId);
    if (residents.length === 0) return false;
    const now = this.#clock.now();
    const today = this.#hours.startOfDay(now);
    const from = today - this.#settings.baselineWindowDays * DAY;
    const rows = await this.#hourly.hourlyTotals(householdId, ['seen', 'motion', 'usage_liters'], {
      from,
      to: today,
    });
    const days = new Map<number, Day>();
    const dayEnd = this.#settings.nightHours.endHour * 60;
    for (const r of rows) {
      const hour = r.hour;
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
      const c = r.count;
      const s = r.sum;
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
    for (const r of residents) await this.#store.put({ ...b, residentId: r.id });
    return true;
  }

  get(residentId: string): Promise<Baseline | null> {
    return this.#store.get(residentId);
  }

  /** The baseline when it has enough days for the rules to use, else null (absolute fallbacks). */
  async usable(residentId: string | null): Promise<Baseline | null> {
    if (!residentId) return null;
    const b = await this.get(residentId);
    return b && b.days >= this.#settings.baselineMinDays ? b : null;
  }
}
