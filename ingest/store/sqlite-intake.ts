import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import { newestFirst } from '../../kernel/store/newest-first.ts';
import type { CanonicalMessage } from '../canonical.ts';
import type { DeviceFault, IntakeStore, QuarantineEntry, QuarantineInput } from './types.ts';

const INSERT_MESSAGE = `INSERT INTO messages (device_id, household_id, channel, seq, qos, received_at, device_time, body)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
const INSERT_OUTBOX = 'INSERT INTO outbox (message_id, enqueued_at) VALUES (?, ?)';
const UPSERT_SEEN = `INSERT INTO seen_seq (device_id, seq, payload_hash, received_at) VALUES (?, ?, ?, ?)
  ON CONFLICT(device_id, seq) DO UPDATE SET payload_hash = excluded.payload_hash, received_at = excluded.received_at`;
const GET_SEEN = 'SELECT payload_hash, received_at FROM seen_seq WHERE device_id = ? AND seq = ?';
const INSERT_QUARANTINE = `INSERT INTO quarantine (at, client_id, device_id, topic, code, detail, seq, size, payload)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const BUMP_FAULT = `INSERT INTO device_faults (device_id, count, last_code, last_at) VALUES (?, 1, ?, ?)
  ON CONFLICT(device_id) DO UPDATE SET count = count + 1, last_code = excluded.last_code, last_at = excluded.last_at
  RETURNING count, flagged_at`;
const UPSERT_METER = `INSERT INTO meter_state (device_id, total_liters, at) VALUES (?, ?, ?)
  ON CONFLICT(device_id) DO UPDATE SET total_liters = excluded.total_liters, at = excluded.at`;
const INSERT_METER_FAULT =
  'INSERT INTO meter_faults (device_id, at, previous_liters, reported_liters) VALUES (?, ?, ?, ?)';

/**
 * The durable intake on the embedded store. Its writes run inside a group commit, which holds the
 * connection: `conn.use` runs them at once there. The hot statements are prepared once, here.
 */
export function createSqliteIntakeStore(db: Db): IntakeStore {
  const conn = connectionOf(db);
  const insertMessage = conn.statement(INSERT_MESSAGE);
  const insertOutbox = conn.statement(INSERT_OUTBOX);
  const upsertSeen = conn.statement(UPSERT_SEEN);
  const getSeen = conn.statement(GET_SEEN);
  const insertQuarantine = conn.statement(INSERT_QUARANTINE);
  const bumpFault = conn.statement(BUMP_FAULT);
  const upsertMeter = conn.statement(UPSERT_METER);
  const insertMeterFault = conn.statement(INSERT_METER_FAULT);
  const count = (sql: string) => Number((conn.statement(sql).get() as { n: number }).n);

  return {
    insertMessage(m: CanonicalMessage, qos: number, payloadHash: string | null) {
      return conn.use(() => {
        const result = insertMessage.run(
          m.deviceId,
          m.householdId,
          m.channel,
          m.seq,
          qos,
          m.receivedAt,
          m.deviceTime,
          JSON.stringify(m),
        );
        const id = Number(result.lastInsertRowid);
        insertOutbox.run(id, m.receivedAt);
        if (m.seq !== null && payloadHash) upsertSeen.run(m.deviceId, m.seq, payloadHash, m.receivedAt);
        return id;
      });
    },
    seen(deviceId, seq) {
      return conn.use(() => {
        const row = getSeen.get(deviceId, seq);
        return row ? { hash: String(row.payload_hash), at: Number(row.received_at) } : null;
      });
    },
    newestSeenAt() {
      return conn.use(() => {
        const row = conn.statement('SELECT MAX(received_at) AS at FROM seen_seq').get() as {
          at: number | null;
        };
        return row.at === null ? null : Number(row.at);
      });
    },
    pruneSeen(olderThanMs) {
      return conn.use(() =>
        Number(conn.statement('DELETE FROM seen_seq WHERE received_at < ?').run(olderThanMs).changes),
      );
    },
    insertQuarantine(q: QuarantineInput) {
      return conn.use(() => {
        insertQuarantine.run(
          q.at,
          q.clientId,
          q.deviceId,
          q.topic,
          q.code,
          q.detail,
          q.seq,
          q.payload.length,
          q.payload,
        );
      });
    },
    bumpFault(deviceId, code, at) {
      return conn.use(() => {
        const row = bumpFault.get(deviceId, code, at);
        return {
          count: Number(row?.count ?? 1),
          flagged: row?.flagged_at !== null && row?.flagged_at !== undefined,
        };
      });
    },
    flagFaulty(deviceId, at) {
      return conn.use(() => {
        conn.statement('UPDATE device_faults SET flagged_at = ? WHERE device_id = ?').run(at, deviceId);
      });
    },
    meterTotal(deviceId) {
      return conn.use(() => {
        const row = conn.statement('SELECT total_liters FROM meter_state WHERE device_id = ?').get(deviceId);
        return row ? Number(row.total_liters) : null;
      });
    },
    setMeterTotal(deviceId, liters, at) {
      return conn.use(() => {
        upsertMeter.run(deviceId, liters, at);
      });
    },
    recordMeterFault(deviceId, at, previous, reported) {
      return conn.use(() => {
        insertMeterFault.run(deviceId, at, previous, reported);
      });
    },
    listQuarantine(opts) {
      return conn.use((d): QuarantineEntry[] =>
        newestFirst(d, 'quarantine', {
          filters: opts.deviceId ? [['device_id = ? OR client_id = ?', [opts.deviceId, opts.deviceId]]] : [],
          beforeId: opts.beforeId,
          limit: opts.limit,
        }).map((r) => ({
          id: Number(r.id),
          at: Number(r.at),
          clientId: String(r.client_id),
          deviceId: r.device_id === null ? null : String(r.device_id),
          topic: String(r.topic),
          code: String(r.code),
          detail: String(r.detail),
          seq: r.seq === null ? null : Number(r.seq),
          size: Number(r.size),
          payload: Buffer.from(r.payload as Uint8Array).toString('utf8'),
          resolvedAt: r.resolved_at === null || r.resolved_at === undefined ? null : Number(r.resolved_at),
          resolution: r.resolution === null || r.resolution === undefined ? null : String(r.resolution),
        })),
      );
    },
    faults() {
      return conn.use((): DeviceFault[] =>
        conn
          .statement('SELECT * FROM device_faults ORDER BY last_at DESC')
          .all()
          .map((r) => ({
            deviceId: String(r.device_id),
            count: Number(r.count),
            lastCode: String(r.last_code),
            lastAt: Number(r.last_at),
            flaggedAt: r.flagged_at === null ? null : Number(r.flagged_at),
          })),
      );
    },
    requeueAllForInflux() {
      return conn.use(() =>
        Number(
          conn
            .statement(
              'INSERT OR IGNORE INTO outbox (message_id, enqueued_at) SELECT id, received_at FROM messages',
            )
            .run().changes,
        ),
      );
    },
    counts() {
      return conn.use(() => ({
        messages: count('SELECT COUNT(*) AS n FROM messages'),
        outbox: count('SELECT COUNT(*) AS n FROM outbox'),
        quarantine: count('SELECT COUNT(*) AS n FROM quarantine'),
      }));
    },
  };
}
