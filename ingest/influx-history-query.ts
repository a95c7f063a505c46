/**
 * History from InfluxDB through InfluxQL on /query (1.x, 2.x's v1 API, 3.x), on the schema of
 * influx-schema.ts. Every statement is scoped to one household by its tag.
 */
import {
  type ActivityRow,
  type BatteryRow,
  byHourThenRoom,
  type HistoryQueries,
  type HistoryRange,
  type LastSeenRow,
  type Stat,
  type VitalsRow,
  type WaterRow,
  wholeHours,
} from './influx-history-types.ts';
import type { InfluxSeries, InfluxTransport } from './influx-transport.ts';

type Row = Record<string, unknown>;

/** An InfluxQL string literal. */
export const influxString = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

const timeIn = (r: HistoryRange) => `time >= ${r.from}ms AND time < ${r.to}ms`;

/** Rows of every series, its tags merged in. */
function rowsOf(series: InfluxSeries[]): Row[] {
  return series.flatMap((s) =>
    s.values.map((v) => ({
      ...s.tags,
      _measurement: s.name,
      ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])),
    })),
  );
}

const stat = (mean: unknown, min: unknown, max: unknown): Stat | null =>
  typeof mean === 'number' ? { mean, min: Number(min), max: Number(max) } : null;

export class InfluxHistory implements HistoryQueries {
  readonly #transport: InfluxTransport;
  /** GROUP BY time(1d, offset): days start at local midnight, e.g. 16:00 UTC for UTC+8. */
  readonly #dayOffsetMinutes: number;

  constructor(transport: InfluxTransport, utcOffsetMinutes: number) {
    this.#transport = transport;
    this.#dayOffsetMinutes = ((-utcOffsetMinutes % 1440) + 1440) % 1440;
  }

  async #ask(q: string): Promise<Row[]> {
    return rowsOf(await this.#transport.query(q));
  }

  async activity(householdId: string, range: HistoryRange): Promise<ActivityRow[]> {
    const rows = await this.#ask(
      `SELECT count(msg_id) AS motions FROM event WHERE household = ${influxString(householdId)}
       AND event = 'motion' AND ${timeIn(wholeHours(range))} GROUP BY time(1h), room fill(none)`,
    );
    return rows
      .map((r) => ({
        hour: Number(r.time),
        room: typeof r.room === 'string' && r.room !== '' ? r.room : null,
        motions: Number(r.motions),
      }))
      .sort(byHourThenRoom);
  }

  async waterUse(householdId: string, range: HistoryRange, bucket: 'hour' | 'day'): Promise<WaterRow[]> {
    const interval = bucket === 'hour' ? '1h' : `1d, ${this.#dayOffsetMinutes}m`;
    const rows = await this.#ask(
      `SELECT sum(usage_liters) AS liters FROM telemetry WHERE household = ${influxString(householdId)}
       AND ${timeIn(wholeHours(range))} GROUP BY time(${interval}) fill(none)`,
    );
    return rows.map((r) => ({ start: Number(r.time), liters: Number(r.liters) }));
  }

  async vitals(householdId: string, deviceId: string, range: HistoryRange): Promise<VitalsRow[]> {
    const rows = await this.#ask(
      `SELECT mean(heart_rate) AS hr_mean, min(heart_rate) AS hr_min, max(heart_rate) AS hr_max,
       mean(spo2) AS spo2_mean, min(spo2) AS spo2_min, max(spo2) AS spo2_max
       FROM telemetry WHERE household = ${influxString(householdId)} AND device = ${influxString(deviceId)}
       AND ${timeIn(wholeHours(range))} GROUP BY time(1h) fill(none)`,
    );
    return rows
      .map((r) => ({
        hour: Number(r.time),
        heartRate: stat(r.hr_mean, r.hr_min, r.hr_max),
        spo2: stat(r.spo2_mean, r.spo2_min, r.spo2_max),
      }))
      .filter((r) => r.heartRate || r.spo2);
  }

  async battery(householdId: string, range: HistoryRange): Promise<BatteryRow[]> {
    const rows = await this.#ask(
      `SELECT last(battery) AS battery FROM telemetry WHERE household = ${influxString(householdId)}
       AND ${timeIn(wholeHours(range))} GROUP BY device`,
    );
    return rows
      .map((r) => ({ deviceId: String(r.device), battery: Number(r.battery), at: Number(r.time) }))
      .sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  }

  async lastSeen(householdId: string, range: HistoryRange): Promise<LastSeenRow[]> {
    const rows = await this.#ask(
      `SELECT last(msg_id) FROM event, telemetry WHERE household = ${influxString(householdId)}
       AND ${timeIn(wholeHours(range))} GROUP BY device`,
    );
    const last = new Map<string, number>();
    for (const r of rows) {
      const deviceId = String(r.device);
      last.set(deviceId, Math.max(last.get(deviceId) ?? 0, Number(r.time)));
    }
    return [...last]
      .map(([deviceId, at]) => ({ deviceId, at }))
      .sort((a, b) => a.deviceId.localeCompare(b.deviceId));
  }
}
