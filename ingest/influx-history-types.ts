/** The history questions the consoles ask, answered alike from InfluxDB and from the local aggregates. */
import { DAY_MS, HOUR_MS } from './influx-history-aggregator.ts';

/** A time range, epoch ms, [from, to); widened to whole hours before it is asked. */
export interface HistoryRange {
  from: number;
  to: number;
}

/** Motion events per room and hour: the activity timeline. */
export interface ActivityRow {
  /** epoch ms of the hour's start */
  hour: number;
  /** null for a motion sensor with no room */
  room: string | null;
  motions: number;
}

/** Water used (litres, from the meter register's growth) per hour or per local day. */
export interface WaterRow {
  /** epoch ms of the bucket's start (a day starts at local midnight, historyUtcOffsetMinutes) */
  start: number;
  liters: number;
}

export interface Stat {
  mean: number;
  min: number;
  max: number;
}

/** Heart rate (bpm) and SpO₂ (%) of one wristband per hour. */
export interface VitalsRow {
  hour: number;
  heartRate: Stat | null;
  spo2: Stat | null;
}

/** The last battery level (%) each device reported within the range. */
export interface BatteryRow {
  deviceId: string;
  battery: number;
  /** epoch ms it was received */
  at: number;
}

/** The last time each device was heard (an event or telemetry, receive time) within the range. */
export interface LastSeenRow {
  deviceId: string;
  at: number;
}

export interface HistoryQueries {
  activity(householdId: string, range: HistoryRange): Promise<ActivityRow[]>;
  waterUse(householdId: string, range: HistoryRange, bucket: 'hour' | 'day'): Promise<WaterRow[]>;
  vitals(householdId: string, deviceId: string, range: HistoryRange): Promise<VitalsRow[]>;
  battery(householdId: string, range: HistoryRange): Promise<BatteryRow[]>;
  lastSeen(householdId: string, range: HistoryRange): Promise<LastSeenRow[]>;
}

/** Whole hours covering `range`: both sources then count exactly the same messages. */
export function wholeHours(range: HistoryRange): HistoryRange {
  return {
    from: Math.floor(range.from / HOUR_MS) * HOUR_MS,
    to: Math.ceil(range.to / HOUR_MS) * HOUR_MS,
  };
}

/** Start (epoch ms) of the local day containing `ms`, for a UTC offset in whole hours. */
export function localDayStart(ms: number, utcOffsetMinutes: number): number {
  const offset = utcOffsetMinutes * 60_000;
  return Math.floor((ms + offset) / DAY_MS) * DAY_MS - offset;
}

export const byHourThenRoom = (a: ActivityRow, b: ActivityRow) =>
  a.hour - b.hour || (a.room ?? '').localeCompare(b.room ?? '');
