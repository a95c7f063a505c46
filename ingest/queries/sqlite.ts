import { type Db, Statements } from '../../kernel/db.ts';
import type { CanonicalMessage } from '../canonical.ts';
import { DeadLetterStore } from '../dead-letter.ts';
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
  beforePresenceRead?: () => void;
}

/** The ingest room's queries on the embedded store (prepared once per statement text). */
export function createSqliteIngestQueries(db: Db, opts: SqliteIngestQueriesOptions = {}): IngestQueries {
  const sql = new Statements(db);
  const deadLetters = new DeadLetterStore(db);
  const flush = opts.beforePresenceRead ?? (() => undefined);

  const presenceOf = (clientId: string): DevicePresence | null => {
    const p = sql.get(PRESENCE).get(clientId);
    return p
      ? {
          state: String(p.state),
          lastSeenAt: nullableNum(p.last_seen_at),
          silentSince: nullableNum(p.silent_since),
        }
      : null;
  };
  const batteryOf = (deviceId: string): number | null => nullableNum(sql.get(BATTERY).get(deviceId)?.battery);
  const faultOf = (deviceId: string): number | null => nullableNum(sql.get(FAULT).get(deviceId)?.flagged_at);

  return {
    async quarantineSummary(since) {
      const byCode: Record<string, number> = {};
      for (const r of sql
        .get('SELECT code, COUNT(*) AS n FROM quarantine WHERE at >= ? GROUP BY code')
        .all(since))
        byCode[String(r.code)] = Number(r.n);
      return byCode;
    },
    async recentQuarantine(since, limit): Promise<QuarantineBrief[]> {
      return sql
        .get('SELECT id, at, client_id, code, detail FROM quarantine WHERE at >= ? ORDER BY id DESC LIMIT ?')
        .all(since, limit)
        .map((r) => ({
          id: Number(r.id),
          at: Number(r.at),
          clientId: String(r.client_id),
          code: String(r.code),
          detail: String(r.detail),
        }));
    },
    async devicePresence(clientId) {
      flush();
      return presenceOf(clientId);
    },
    async latestBattery(deviceId) {
      return batteryOf(deviceId);
    },
    async faultFlaggedAt(deviceId) {
      return faultOf(deviceId);
    },
    async devicesState(deviceIds) {
      flush();
      const states = new Map<string, DeviceIngestState>();
      for (const id of deviceIds)
        states.set(id, { presence: presenceOf(id), battery: batteryOf(id), faultFlaggedAt: faultOf(id) });
      return states;
    },
    async latestEventAt(deviceIds) {
      let newest: number | null = null;
      const latest = sql.get(LATEST_EVENT);
      for (const id of deviceIds) {
        const at = nullableNum(latest.get(id)?.at);
        if (at !== null && (newest === null || at > newest)) newest = at;
      }
      return newest;
    },
    async deadLetters(opts) {
      return deadLetters.list(opts);
    },
    async deadLetterCount() {
      return deadLetters.count();
    },
    async messages(filter = {}): Promise<StoredMessage[]> {
      const { where, args } = messageWhere(filter);
      return sql
        .get(
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
        }));
    },
    async messageCount(filter = {}) {
      const { where, args } = messageWhere(filter);
      return Number(sql.get(`SELECT COUNT(*) AS n FROM messages ${where}`).get(...args)?.n ?? 0);
    },
    async outboxDepth() {
      return Number(sql.get('SELECT COUNT(*) AS n FROM outbox').get()?.n ?? 0);
    },
    async meterFaults(deviceId): Promise<MeterFault[]> {
      const rows =
        deviceId === undefined
          ? sql
              .get('SELECT device_id, at, previous_liters, reported_liters FROM meter_faults ORDER BY id')
              .all()
          : sql
              .get(
                'SELECT device_id, at, previous_liters, reported_liters FROM meter_faults WHERE device_id = ? ORDER BY id',
              )
              .all(deviceId);
      return rows.map((r) => ({
        deviceId: String(r.device_id),
        at: Number(r.at),
        previousLiters: Number(r.previous_liters),
        reportedLiters: Number(r.reported_liters),
      }));
    },
  };
}
