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

/** What the aggregates need of a stored message: read by SQLite's JSON functions, no parse in JS. */
interface StoredFacts {
  deviceId: string;
  householdId: string;
  room: string | null;
  channel: string;
  receivedAt: number;
  eventName: string | null;
  usageLiters: number | null;
  heartRate: number | null;
  spo2: number | null;
  battery: number | null;
}

/** The values a message adds to the hourly aggregates. */
export function localValues(m: StoredFacts): Array<[LocalMetric, number]> {
  if (m.channel === 'status') return [];
  const values: Array<[LocalMetric, number]> = [['seen', 1]];
  if (m.eventName === 'motion') values.push(['motion', 1]);
  if (m.usageLiters !== null) values.push(['usage_liters', m.usageLiters]);
  if (m.heartRate !== null) values.push(['heart_rate', m.heartRate]);
  if (m.spo2 !== null) values.push(['spo2', m.spo2]);
  if (m.battery !== null) values.push(['battery', m.battery]);
  return values;
}

/** The same facts from the message itself (the intake's object, just stored). */
export function factsOf(m: CanonicalMessage): StoredFacts {
  const r = m.readings;
  return {
    deviceId: m.deviceId,
    householdId: m.householdId,
    room: m.room,
    channel: m.channel,
    receivedAt: m.receivedAt,
    eventName: m.event?.name ?? null,
    usageLiters: r?.usageLiters ?? null,
    heartRate: r?.heartRate ?? null,
    spo2: r?.spo2 ?? null,
    battery: r?.battery ?? null,
  };
}

const numOrNull = (v: unknown) => (typeof v === 'number' ? v : null);
const strOrNull = (v: unknown) => (typeof v === 'string' ? v : null);

/** One device's metric in one hour, summed over the messages of one catch-up (or kept: hourly_stats). */
export interface HourCell {
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
  m: StoredFacts,
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
 *
 * Two ways in. The intake tells `noteStored` each message it stored, with its row id, and those are
 * folded in memory; a catch-up writes them with the cursor when they cover every row after the cursor
 * (a count over the id range proves it). Otherwise (after a restart, or a row the intake did not tell
 * of) the memory is dropped and the rows are read back from the store, as before.
 */
export class HourlyAggregator {
  readonly #db: Db;
  readonly #initCursor: StatementSync;
  readonly #cursor: StatementSync;
  readonly #next: StatementSync;
  readonly #upsert: StatementSync;
  readonly #setCursor: StatementSync;
  readonly #countRange: StatementSync;
  readonly #replace: StatementSync;
  /** folded from noteStored, not yet written */
  #memory = new Map<string, HourCell>();
  #memoryRows = 0;
  #memoryFirstId = 0;
  #memoryLastId = 0;
  /** the cursor as last read or written (0: not yet known) */
  #knownCursor = 0;
  /** catch-ups that wrote what memory held / that read rows back from the store (observability, tests) */
  readonly catchUps = { fromMemory: 0, readBack: 0 };

  constructor(db: Db) {
    this.#db = db;
    this.#countRange = db.prepare('SELECT COUNT(*) AS n FROM messages WHERE id > ? AND id <= ?');
    // First run: start at the recent window, not at the beginning of the store.
    this.#initCursor = db.prepare(
      `INSERT OR IGNORE INTO history_cursor (id, message_id) VALUES (1, COALESCE(
         (SELECT MIN(id) FROM messages WHERE received_at >= ?) - 1, (SELECT MAX(id) FROM messages), 0))`,
    );
    this.#cursor = db.prepare('SELECT message_id FROM history_cursor WHERE id = 1');
    // The body's facts by SQLite's JSON functions (its parse is cached across the calls on one row): the
    // catch-up once parsed every body in JS, ~6 % of the hub's CPU at saturation.
    this.#next = db.prepare(
      `SELECT id, received_at, device_id, household_id, channel,
         body ->> '$.room' AS room, body ->> '$.event.name' AS event_name,
         body ->> '$.readings.usageLiters' AS usage_liters, body ->> '$.readings.heartRate' AS heart_rate,
         body ->> '$.readings.spo2' AS spo2, body ->> '$.readings.battery' AS battery
       FROM messages WHERE id > ? AND json_valid(body) ORDER BY id LIMIT ?`,
    );
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
    this.#replace = db.prepare(
      `INSERT OR REPLACE INTO hourly_stats (device_id, metric, hour, household_id, room, count, sum, min, max, last, last_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /**
   * Keeps hours aggregated elsewhere (history carried over from another hub, or a test's synthetic weeks):
   * each replaces the device's metric hour kept, if any; the cursor does not move.
   */
  importHours(cells: readonly HourCell[]): void {
    transaction(this.#db, () => {
      for (const c of cells)
        this.#replace.run(
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
    });
  }

  /** A message the intake has just stored (durable), with its row id; ids arrive in increasing order. */
  noteStored(id: number, m: CanonicalMessage, nowMs: number): void {
    if (id <= this.#knownCursor || id <= this.#memoryLastId) return;
    if (this.#memoryRows === 0) this.#memoryFirstId = id;
    this.#memoryRows += 1;
    this.#memoryLastId = id;
    if (m.receivedAt < nowMs - LOCAL_WINDOW_MS) return;
    const facts = factsOf(m);
    const hour = Math.floor(m.receivedAt / HOUR_MS) * HOUR_MS;
    for (const [metric, value] of localValues(facts)) fold(this.#memory, facts, metric, hour, value);
  }

  /**
   * Aggregates up to `limit` messages not yet counted (or all those folded in memory, when they are
   * the next rows); returns how many it counted.
   */
  catchUp(limit: number, nowMs: number): number {
    return transaction(this.#db, () => {
      this.#initCursor.run(nowMs - LOCAL_WINDOW_MS);
      const cursor = Number((this.#cursor.get() as { message_id: number }).message_id);
      this.#knownCursor = cursor;
      const fromMemory = this.#takeMemory(cursor);
      if (fromMemory) {
        this.#write(fromMemory.cells);
        this.#setCursor.run(fromMemory.lastId);
        this.#knownCursor = fromMemory.lastId;
        this.catchUps.fromMemory++;
        return fromMemory.rows;
      }
      const rows = this.#next.all(cursor, limit);
      if (rows.length > 0) this.catchUps.readBack++;
      const oldest = nowMs - LOCAL_WINDOW_MS;
      // Folded per (device, metric, hour) first: one upsert per hour a device spoke in, not per message.
      const folded = new Map<string, HourCell>();
      for (const row of rows) {
        if (Number(row.received_at) < oldest) continue;
        const m: StoredFacts = {
          deviceId: String(row.device_id),
          householdId: String(row.household_id),
          room: strOrNull(row.room),
          channel: String(row.channel),
          receivedAt: Number(row.received_at),
          eventName: strOrNull(row.event_name),
          usageLiters: numOrNull(row.usage_liters),
          heartRate: numOrNull(row.heart_rate),
          spo2: numOrNull(row.spo2),
          battery: numOrNull(row.battery),
        };
        const hour = Math.floor(m.receivedAt / HOUR_MS) * HOUR_MS;
        for (const [metric, value] of localValues(m)) fold(folded, m, metric, hour, value);
      }
      this.#write(folded);
      const last = rows.at(-1);
      if (last) {
        this.#setCursor.run(Number(last.id));
        this.#knownCursor = Number(last.id);
      }
      return rows.length;
    });
  }

  /** The memory's cells when they are exactly the rows after `cursor`; else null (and the memory is dropped). */
  #takeMemory(cursor: number): { cells: Map<string, HourCell>; rows: number; lastId: number } | null {
    const taken = { cells: this.#memory, rows: this.#memoryRows, lastId: this.#memoryLastId };
    const firstId = this.#memoryFirstId;
    this.#memory = new Map();
    this.#memoryRows = 0;
    this.#memoryLastId = 0;
    // ids only grow, so every folded id is in (cursor, lastId] when the first is; the count then proves
    // that none of that range is missing
    if (taken.rows === 0 || firstId <= cursor) return null;
    const inRange = Number((this.#countRange.get(cursor, taken.lastId) as { n: number }).n);
    return inRange === taken.rows ? taken : null;
  }

  #write(folded: Map<string, HourCell>): void {
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
  }

  /** Drops hours older than the local window; returns the rows removed. */
  prune(nowMs: number): number {
    const cutoff = nowMs - LOCAL_WINDOW_MS;
    return Number(this.#db.prepare('DELETE FROM hourly_stats WHERE hour < ?').run(cutoff).changes);
  }
}
