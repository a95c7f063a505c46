import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { CanonicalMessage } from '../canonical.ts';
import { createSqliteOutboxStore } from '../store/sqlite-outbox.ts';
import type {
  DeviceIngestState,
  DevicePresence,
  IngestQueries,
  MessageFilter,
  MeterFault,
  QuarantineBrief,
  StoredMessage,
} from './types.ts';

type Row = Record<string, unknown>;

const nullableNum = (v: unknown) => (v === null || v === undefined ? null : Number(v));

const PRESENCE = 'SELECT state, last_seen_at, silent_since FROM presence WHERE client_id = ?';
/** The newest telemetry carrying a battery, found through the messages_device index. */
const BATTERY = `SELECT json_extract(body, '$.readings.battery') AS battery FROM messages
  WHERE device_id = ? AND channel = 'telemetry' AND json_extract(body, '$.readings.battery') IS NOT NULL
  ORDER BY id DESC LIMIT 1`;
const FAULT = 'SELECT flagged_at FROM device_faults WHERE device_id = ?';
const LATEST_EVENT = `SELECT received_at AS at FROM messages WHERE device_id = ? AND channel = 'event'
  ORDER BY id DESC LIMIT 1`;

/** The WHERE clause (and its arguments) of a message filter. */
function messageWhere(filter: MessageFilter): { where: string; args: string[] } {
  const clauses: string[] = [];
  const args: string[] = [];
  for (const [column, value] of [
    ['device_id', filter.deviceId],
    ['household_id', filter.householdId],
    ['channel', filter.channel],
  ] as const) {
    if (value === undefined) continue;
    clauses.push(`${column} = ?`);
    args.push(value);
  }
  return { where: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', args };
}

export interface SqliteIngestQueriesOptions {
  /**
   * Runs before presence is read: the intake holds the newest last-seen times in memory and writes them
   * at every sweep (ingest Presence.flush), so a read sees them at once.
   */
  beforePresenceRead?: () => Promise<void>;
}

/**
 * The ingest room's queries on the embedded store: through its connection (kernel/sqlite-connection.ts),
 * so a read waits while a transaction of someone else (a group commit) holds it; statements prepared once.
 */
export function createSqliteIngestQueries(db: Db, opts: SqliteIngestQueriesOptions = {}): IngestQueries {
  const conn = connectionOf(db);
  const sql = (text: string) => conn.statement(text);
  const outbox = createSqliteOutboxStore(db);
  const flush = opts.beforePresenceRead ?? (async () => undefined);

  const presenceOf = (clientId: string): DevicePresence | null => {
    const p = sql(PRESENCE).get(clientId);
    return p
      ? {
          state: String(p.state),
          lastSeenAt: nullableNum(p.last_seen_at),
          silentSince: nullableNum(p.silent_since),
        }
      : null;
  };
  const batteryOf = (deviceId: string): number | null => nullableNum(sql(BATTERY).get(deviceId)?.battery);
  const faultOf = (deviceId: string): number | null => nullableNum(sql(FAULT).get(deviceId)?.flagged_at);

  return {
    quarantineSummary(since) {
      return conn.use(() => {
        const byCode: Record<string, number> = {};
        for (const r of sql('SELECT code, COUNT(*) AS n FROM quarantine WHERE at >= ? GROUP BY code').all(
          since,
        ))
          byCode[String(r.code)] = Number(r.n);
        return byCode;
      });
    },
    recentQuarantine(since, limit) {
      return conn.use((): QuarantineBrief[] =>
        sql('SELECT id, at, client_id, code, detail FROM quarantine WHERE at >= ? ORDER BY id DESC LIMIT ?')
          .all(since, limit)
          .map((r) => ({
            id: Number(r.id),
            at: Number(r.at),
            clientId: String(r.client_id),
            code: String(r.code),
            detail: String(r.detail),
          })),
      );
    },
    async devicePresence(clientId) {
      await flush();
      return conn.use(() => presenceOf(clientId));
    },
    latestBattery(deviceId) {
      return conn.use(() => batteryOf(deviceId));
    },
    faultFlaggedAt(deviceId) {
      return conn.use(() => faultOf(deviceId));
    },
    async devicesState(deviceIds) {
      await flush();
      return conn.use(() => {
        const states = new Map<string, DeviceIngestState>();
        for (const id of deviceIds)
          states.set(id, { presence: presenceOf(id), battery: batteryOf(id), faultFlaggedAt: faultOf(id) });
        return states;
      });
    },
    latestEventAt(deviceIds) {
      return conn.use(() => {
        let newest: number | null = null;
        const latest = sql(LATEST_EVENT);
        for (const id of deviceIds) {
          const at = nullableNum(latest.get(id)?.at);
          if (at !== null && (newest === null || at > newest)) newest = at;
        }
        return newest;
      });
    },
    deadLetters(opts) {
      return outbox.deadLetters(opts);
    },
    deadLetterCount() {
      return outbox.deadLetterCount();
    },
    messages(filter = {}) {
      const { where, args } = messageWhere(filter);
      return conn.use((): StoredMessage[] =>
        sql(
          `SELECT id, device_id, household_id, channel, seq, received_at, body FROM messages ${where} ORDER BY id`,
        )
          .all(...args)
          .map((r: Row) => ({
            id: Number(r.id),
            deviceId: String(r.device_id),
            householdId: String(r.household_id),
            channel: String(r.channel),
            seq: nullableNum(r.seq),
            receivedAt: Number(r.received_at),
            body: JSON.parse(String(r.body)) as CanonicalMessage,
          })),
      );
    },
    messageCount(filter = {}) {
      const { where, args } = messageWhere(filter);
      return conn.use(() => Number(sql(`SELECT COUNT(*) AS n FROM messages ${where}`).get(...args)?.n ?? 0));
    },
    outboxDepth() {
      return outbox.depth();
    },
    meterFaults(deviceId) {
      return conn.use((): MeterFault[] => {
        const rows =
          deviceId === undefined
            ? sql(
                'SELECT device_id, at, previous_liters, reported_liters FROM meter_faults ORDER BY id',
              ).all()
            : sql(
                'SELECT device_id, at, previous_liters, reported_liters FROM meter_faults WHERE device_id = ? ORDER BY id',
              ).all(deviceId);
        return rows.map((r) => ({
          deviceId: String(r.device_id),
          at: Number(r.at),
          previousLiters: Number(r.previous_liters),
          reportedLiters: Number(r.reported_liters),
        }));
      });
    },
  };
}
