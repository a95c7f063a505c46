import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { HistoryStore, HourCell, StoredFacts } from './types.ts';

// First run: start at the recent window, not at the beginning of the store.
const INIT_CURSOR = `INSERT OR IGNORE INTO history_cursor (id, message_id) VALUES (1, COALESCE(
  (SELECT MIN(id) FROM messages WHERE received_at >= ?) - 1, (SELECT MAX(id) FROM messages), 0))`;
const CURSOR = 'SELECT message_id FROM history_cursor WHERE id = 1';
// The body's facts by SQLite's JSON functions (its parse is cached across the calls on one row): the
// catch-up once parsed every body in JS, ~6 % of the hub's CPU at saturation.
const FACTS_AFTER = `SELECT id, received_at, device_id, household_id, channel,
    body ->> '$.room' AS room, body ->> '$.event.name' AS event_name,
    body ->> '$.readings.usageLiters' AS usage_liters, body ->> '$.readings.heartRate' AS heart_rate,
    body ->> '$.readings.spo2' AS spo2, body ->> '$.readings.battery' AS battery
  FROM messages WHERE id > ? AND json_valid(body) ORDER BY id LIMIT ?`;
const ADD = `INSERT INTO hourly_stats (device_id, metric, hour, household_id, room, count, sum, min, max, last, last_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (device_id, metric, hour) DO UPDATE SET
    count = count + excluded.count,
    sum = sum + excluded.sum,
    min = MIN(min, excluded.min),
    max = MAX(max, excluded.max),
    last = CASE WHEN excluded.last_at >= last_at THEN excluded.last ELSE last END,
    last_at = MAX(last_at, excluded.last_at),
    household_id = excluded.household_id,
    room = excluded.room`;
const REPLACE = `INSERT OR REPLACE INTO hourly_stats (device_id, metric, hour, household_id, room, count, sum, min, max, last, last_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

const MOTION = `SELECT hour, room, SUM(count) AS motions FROM hourly_stats
  WHERE household_id = ? AND metric = 'motion' AND hour >= ? AND hour < ?
  GROUP BY hour, room`;
const WATER = `SELECT hour, SUM(sum) AS liters FROM hourly_stats
  WHERE household_id = ? AND metric = 'usage_liters' AND hour >= ? AND hour < ?
  GROUP BY hour ORDER BY hour`;
const VITALS = `SELECT hour, metric, SUM(sum) AS sum, SUM(count) AS count, MIN(min) AS min, MAX(max) AS max
  FROM hourly_stats
  WHERE household_id = ? AND device_id = ? AND metric IN ('heart_rate', 'spo2') AND hour >= ? AND hour < ?
  GROUP BY hour, metric ORDER BY hour`;
const BATTERY = `SELECT device_id, last, last_at FROM hourly_stats
  WHERE household_id = ? AND metric = 'battery' AND hour >= ? AND hour < ? ORDER BY last_at`;
const LAST_SEEN = `SELECT device_id, MAX(last_at) AS at FROM hourly_stats
  WHERE household_id = ? AND metric = 'seen' AND hour >= ? AND hour < ?
  GROUP BY device_id ORDER BY device_id`;

const numOrNull = (v: unknown) => (typeof v === 'number' ? v : null);
const strOrNull = (v: unknown) => (typeof v === 'string' ? v : null);

const cellArgs = (c: HourCell) =>
  [
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
  ] as const;

/** The local hourly history (hourly_stats, history_cursor) on the embedded store. */
export function createSqliteHistoryStore(db: Db): HistoryStore {
  const conn = connectionOf(db);
  return {
    transaction: (fn) => conn.transaction(fn),
    cursor(startFrom) {
      return conn.use(() => {
        conn.statement(INIT_CURSOR).run(startFrom);
        return Number((conn.statement(CURSOR).get() as { message_id: number }).message_id);
      });
    },
    setCursor(messageId) {
      return conn.use(() => {
        conn.statement('UPDATE history_cursor SET message_id = ? WHERE id = 1').run(messageId);
      });
    },
    hasMessagesAfter(afterId) {
      return conn.use(
        () =>
          conn.statement('SELECT 1 AS found FROM messages WHERE id > ? LIMIT 1').get(afterId) !== undefined,
      );
    },
    countMessages(afterId, upToId) {
      return conn.use(() =>
        Number(
          (
            conn
              .statement('SELECT COUNT(*) AS n FROM messages WHERE id > ? AND id <= ?')
              .get(afterId, upToId) as {
              n: number;
            }
          ).n,
        ),
      );
    },
    factsAfter(afterId, limit) {
      return conn.use(() =>
        conn
          .statement(FACTS_AFTER)
          .all(afterId, limit)
          .map((row): StoredFacts & { id: number } => ({
            id: Number(row.id),
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
          })),
      );
    },
    addHours(cells) {
      return conn.use(() => {
        const add = conn.statement(ADD);
        for (const c of cells) add.run(...cellArgs(c));
      });
    },
    replaceHours(cells) {
      return conn.transaction(() =>
        conn.use(() => {
          const replace = conn.statement(REPLACE);
          for (const c of cells) replace.run(...cellArgs(c));
        }),
      );
    },
    pruneHours(cutoff) {
      return conn.use(() =>
        Number(conn.statement('DELETE FROM hourly_stats WHERE hour < ?').run(cutoff).changes),
      );
    },
    motionByHourAndRoom(householdId, from, to) {
      return conn.use(() =>
        conn
          .statement(MOTION)
          .all(householdId, from, to)
          .map((r) => ({
            hour: Number(r.hour),
            room: r.room === null ? null : String(r.room),
            motions: Number(r.motions),
          })),
      );
    },
    waterByHour(householdId, from, to) {
      return conn.use(() =>
        conn
          .statement(WATER)
          .all(householdId, from, to)
          .map((r) => ({ hour: Number(r.hour), liters: Number(r.liters) })),
      );
    },
    vitalsByHour(householdId, deviceId, from, to) {
      return conn.use(() =>
        conn
          .statement(VITALS)
          .all(householdId, deviceId, from, to)
          .map((r) => ({
            hour: Number(r.hour),
            metric: r.metric === 'heart_rate' ? ('heart_rate' as const) : ('spo2' as const),
            sum: Number(r.sum),
            count: Number(r.count),
            min: Number(r.min),
            max: Number(r.max),
          })),
      );
    },
    batteryLasts(householdId, from, to) {
      return conn.use(() =>
        conn
          .statement(BATTERY)
          .all(householdId, from, to)
          .map((r) => ({ deviceId: String(r.device_id), battery: Number(r.last), at: Number(r.last_at) })),
      );
    },
    lastSeen(householdId, from, to) {
      return conn.use(() =>
        conn
          .statement(LAST_SEEN)
          .all(householdId, from, to)
          .map((r) => ({ deviceId: String(r.device_id), at: Number(r.at) })),
      );
    },
  };
}
