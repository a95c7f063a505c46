import type { Db } from '../kernel/db.ts';
import {
  type ActivityRow,
  type BatteryRow,
  byHourThenRoom,
  type HistoryQueries,
  type HistoryRange,
  type LastSeenRow,
  localDayStart,
  type Stat,
  type VitalsRow,
  type WaterRow,
  wholeHours,
} from './influx-history-types.ts';

type Row = Record<string, unknown>;

/** History from the hub's own hourly aggregates (hourly_stats): the last 30 days, without InfluxDB. */
export class LocalHistory implements HistoryQueries {
  readonly #db: Db;
  readonly #utcOffsetMinutes: number;
  readonly #refresh: () => void;

  /** `refresh` brings the aggregates up to date before each question. */
  constructor(db: Db, utcOffsetMinutes: number, refresh: () => void = () => {}) {
    this.#db = db;
    this.#utcOffsetMinutes = utcOffsetMinutes;
    this.#refresh = refresh;
  }

  #rows(sql: string, ...args: Array<string | number>): Row[] {
    this.#refresh();
    return this.#db.prepare(sql).all(...args) as Row[];
  }

  async activity(householdId: string, range: HistoryRange): Promise<ActivityRow[]> {
    const { from, to } = wholeHours(range);
    return this.#rows(
      `SELECT hour, room, SUM(count) AS motions FROM hourly_stats
       WHERE household_id = ? AND metric = 'motion' AND hour >= ? AND hour < ?
       GROUP BY hour, room`,
      householdId,
      from,
      to,
    )
      .map((r) => ({
        hour: Number(r.hour),
        room: r.room === null ? null : String(r.room),
        motions: Number(r.motions),
      }))
      .sort(byHourThenRoom);
  }

  async waterUse(householdId: string, range: HistoryRange, bucket: 'hour' | 'day'): Promise<WaterRow[]> {
    const { from, to } = wholeHours(range);
    const sums = new Map<number, number>();
    const hours = this.#rows(
      `SELECT hour, SUM(sum) AS liters FROM hourly_stats
       WHERE household_id = ? AND metric = 'usage_liters' AND hour >= ? AND hour < ?
       GROUP BY hour ORDER BY hour`,
      householdId,
      from,
      to,
    );
    for (const r of hours) {
      const hour = Number(r.hour);
      const start = bucket === 'hour' ? hour : localDayStart(hour, this.#utcOffsetMinutes);
      sums.set(start, (sums.get(start) ?? 0) + Number(r.liters));
    }
    return [...sums].map(([start, liters]) => ({ start, liters }));
  }

  async vitals(householdId: string, deviceId: string, range: HistoryRange): Promise<VitalsRow[]> {
    const { from, to } = wholeHours(range);
    const byHour = new Map<number, VitalsRow>();
    const rows = this.#rows(
      `SELECT hour, metric, SUM(sum) AS sum, SUM(count) AS count, MIN(min) AS min, MAX(max) AS max
       FROM hourly_stats
       WHERE household_id = ? AND device_id = ? AND metric IN ('heart_rate', 'spo2') AND hour >= ? AND hour < ?
       GROUP BY hour, metric ORDER BY hour`,
      householdId,
      deviceId,
      from,
      to,
    );
    for (const r of rows) {
      const hour = Number(r.hour);
      const row = byHour.get(hour) ?? { hour, heartRate: null, spo2: null };
      const stat: Stat = { mean: Number(r.sum) / Number(r.count), min: Number(r.min), max: Number(r.max) };
      if (r.metric === 'heart_rate') row.heartRate = stat;
      else row.spo2 = stat;
      byHour.set(hour, row);
    }
    return [...byHour.values()];
  }

  async battery(householdId: string, range: HistoryRange): Promise<BatteryRow[]> {
    const { from, to } = wholeHours(range);
    const last = new Map<string, BatteryRow>();
    const rows = this.#rows(
      `SELECT device_id, last, last_at FROM hourly_stats
       WHERE household_id = ? AND metric = 'battery' AND hour >= ? AND hour < ? ORDER BY last_at`,
      householdId,
      from,
      to,
    );
    for (const r of rows) {
      const deviceId = String(r.device_id);
      last.set(deviceId, { deviceId, battery: Number(r.last), at: Number(r.last_at) });
    }
    return [...last.values()].sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  }

  async lastSeen(householdId: string, range: HistoryRange): Promise<LastSeenRow[]> {
    const { from, to } = wholeHours(range);
    return this.#rows(
      `SELECT device_id, MAX(last_at) AS at FROM hourly_stats
       WHERE household_id = ? AND metric = 'seen' AND hour >= ? AND hour < ?
       GROUP BY device_id ORDER BY device_id`,
      householdId,
      from,
      to,
    ).map((r) => ({ deviceId: String(r.device_id), at: Number(r.at) }));
  }
}
