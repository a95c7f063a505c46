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
import type { HistoryStore } from './store/types.ts';

/** History from the hub's own hourly aggregates (hourly_stats): the last 30 days, without InfluxDB. */
export class LocalHistory implements HistoryQueries {
  readonly #store: HistoryStore;
  readonly #utcOffsetMinutes: number;
  readonly #refresh: () => Promise<void>;

  /** `refresh` brings the aggregates up to date before each question. */
  constructor(store: HistoryStore, utcOffsetMinutes: number, refresh: () => Promise<void> = async () => {}) {
    this.#store = store;
    this.#utcOffsetMinutes = utcOffsetMinutes;
    this.#refresh = refresh;
  }

  async activity(householdId: string, range: HistoryRange): Promise<ActivityRow[]> {
    const { from, to } = wholeHours(range);
    await this.#refresh();
    return (await this.#store.motionByHourAndRoom(householdId, from, to)).sort(byHourThenRoom);
  }

  async waterUse(householdId: string, range: HistoryRange, bucket: 'hour' | 'day'): Promise<WaterRow[]> {
    const { from, to } = wholeHours(range);
    await this.#refresh();
    const sums = new Map<number, number>();
    for (const r of await this.#store.waterByHour(householdId, from, to)) {
      const start = bucket === 'hour' ? r.hour : localDayStart(r.hour, this.#utcOffsetMinutes);
      sums.set(start, (sums.get(start) ?? 0) + r.liters);
    }
    return [...sums].map(([start, liters]) => ({ start, liters }));
  }

  async vitals(householdId: string, deviceId: string, range: HistoryRange): Promise<VitalsRow[]> {
    const { from, to } = wholeHours(range);
    await this.#refresh();
    const byHour = new Map<number, VitalsRow>();
    for (const r of await this.#store.vitalsByHour(householdId, deviceId, from, to)) {
      const row = byHour.get(r.hour) ?? { hour: r.hour, heartRate: null, spo2: null };
      const stat: Stat = { mean: r.sum / r.count, min: r.min, max: r.max };
      if (r.metric === 'heart_rate') row.heartRate = stat;
      else row.spo2 = stat;
      byHour.set(r.hour, row);
    }
    return [...byHour.values()];
  }

  async battery(householdId: string, range: HistoryRange): Promise<BatteryRow[]> {
    const { from, to } = wholeHours(range);
    await this.#refresh();
    const last = new Map<string, BatteryRow>();
    for (const r of await this.#store.batteryLasts(householdId, from, to)) last.set(r.deviceId, r);
    return [...last.values()].sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  }

  async lastSeen(householdId: string, range: HistoryRange): Promise<LastSeenRow[]> {
    const { from, to } = wholeHours(range);
    await this.#refresh();
    return this.#store.lastSeen(householdId, from, to);
  }
}
