import type { StatementSync } from 'node:sqlite';
import { type Db, transaction } from '../kernel/db.ts';
import type { CanonicalMessage } from './canonical.ts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** The local history keeps this much: 30 days, ms. */
export const LOCAL_WINDOW_MS = 30 * DAY_MS;

/**
 * What the local history keeps per device and hour. `seen`: events and telemetry (the device itself
 * speaking; a status may be the broker's Last Will); `motion`: motion events; the rest: readings.
 */
export type LocalMetric = 'seen' | 'motion' | 'usage_liters' | 'heart_rate' | 'spo2' | 'battery';

/** The values a message adds to the hourly aggregates. */
export function localValues(m: CanonicalMessage): Array<[LocalMetric, number]> {
  if (m.channel === 'status') return [];
  const values: Array<[LocalMetric, number]> = [['seen', 1]];
  if (m.event?.name === 'motion') values.push(['motion', 1]);
  const r = m.readings;
  if (r?.usageLiters !== undefined) values.push(['usage_liters', r.usageLiters]);
  if (r?.heartRate !== undefined) values.push(['heart_rate', r.heartRate]);
  if (r?.spo2 !== undefined) values.push(['spo2', r.spo2]);
  if (r?.battery !== undefined) values.push(['battery', r.battery]);
  return values;
}

/** One device's metric in one hour, summed over the messages of one catch-up. */
interface HourCell {
  deviceId: string;
  metric: LocalMetric;
  hour: number;
  householdId: string;
  room: string | null;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** the value of the newest message (by receivedAt), and its time */
  last: number;
  lastAt: number;
}

function fold(
  cells: Map<string, HourCell>,
  m: CanonicalMessage,
  metric: LocalMetric,
  hour: number,
  value: number,
): void {
  const key = `${m.deviceId}\u0000${metric}\u0000${hour}`;
  const c = cells.get(key);
  if (!c) {
    cells.set(key, {
      deviceId: m.deviceId,
      metric,
      hour,
      householdId: m.householdId,
      room: m.room,
      count: 1,
      sum: value,
      min: value,
      max: value,
      last: value,
      lastAt: m.receivedAt,
    });
    return;
  }
  c.count += 1;
  c.sum += value;
  c.min = Math.min(c.min, value);
  c.max = Math.max(c.max, value);
  if (m.receivedAt >= c.lastAt) {
    c.last = value;
    c.lastAt = m.receivedAt;
  }
  // the newest message names the household and room (a device moved between them keeps the latest)
  c.householdId = m.householdId;
  c.room = m.room;
}

/**
 * Keeps `hourly_stats` (migration 3) up to date from the message store, behind a persisted cursor that
 * moves in the same transaction as the aggregates: every message counts exactly once, also across a
 * crash, and the intake's write path is not touched.
 */
export class HourlyAggregator {
  readonly #db: Db;
  readonly #initCursor: StatementSync;
  readonly #cursor: StatementSync;
  readonly #next: StatementSync;
  readonly #upsert: StatementSync;
  readonly #setCursor: StatementSync;

  constructor(db: Db) {
    this.#db = db;
    // First run: start at the recent window, not at the beginning of the store.
    this.#initCursor = db.prepare(
      `INSERT OR IGNORE INTO history_cursor (id, message_id) VALUES (1, COALESCE(
         (SELECT MIN(id) FROM messages WHERE received_at >= ?) - 1, (SELECT MAX(id) FROM messages), 0))`,
    );
    this.#cursor = db.prepare('SELECT message_id FROM history_cursor WHERE id = 1');
    this.#next = db.prepare('SELECT id, received_at, body FROM messages WHERE id > ? ORDER BY id LIMIT ?');
    this.#upsert = db.prepare(
      `INSERT INTO hourly_stats (device_id, metric, hour, household_id, room, count, sum, min, max, last, last_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (device_id, metric, hour) DO UPDATE SET
         count = count + excluded.count,
         sum = sum + excluded.sum,
         min = MIN(min, excluded.min),
         max = MAX(max, excluded.max),
         last = CASE WHEN excluded.last_at >= last_at THEN excluded.last ELSE last END,
         last_at = MAX(last_at, excluded.last_at),
         household_id = excluded.household_id,
         room = excluded.room`,
    );
    this.#setCursor = db.prepare('UPDATE history_cursor SET message_id = ? WHERE id = 1');
  }

  /** Aggregates up to `limit` messages not yet counted; returns how many it read. */
  catchUp(limit: number, nowMs: number): number {
    return transaction(this.#db, () => {
      this.#initCursor.run(nowMs - LOCAL_WINDOW_MS);
      const cursor = Number((this.#cursor.get() as { message_id: number }).message_id);
      const rows = this.#next.all(cursor, limit);
      const oldest = nowMs - LOCAL_WINDOW_MS;
      // Folded per (device, metric, hour) first: one upsert per hour a device spoke in, not per message.
      const folded = new Map<string, HourCell>();
      for (const row of rows) {
        if (Number(row.received_at) < oldest) continue;
        let m: CanonicalMessage;
        try {
          m = JSON.parse(String(row.body)) as CanonicalMessage;
        } catch {
          continue; // the writer dead-letters it; the history has nothing to count
        }
        const hour = Math.floor(m.receivedAt / HOUR_MS) * HOUR_MS;
        for (const [metric, value] of localValues(m)) fold(folded, m, metric, hour, value);
      }
      for (const c of folded.values()) {
        this.#upsert.run(
          c.deviceId,
          c.metric,
          c.hour,
          c.householdId,
          c.room,
          c.count,
          c.sum,
          c.min,
          c.max,
          c.last,
          c.lastAt,
        );
      }
      const last = rows.at(-1);
      if (last) this.#setCursor.run(Number(last.id));
      return rows.length;
    });
  }

  /** Drops hours older than the local window; returns the rows removed. */
  prune(nowMs: number): number {
    const cutoff = nowMs - LOCAL_WINDOW_MS;
    return Number(this.#db.prepare('DELETE FROM hourly_stats WHERE hour < ?').run(cutoff).changes);
  }
}
