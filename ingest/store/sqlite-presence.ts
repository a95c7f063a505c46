import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { DueDeadline, PresenceRow, PresenceStore } from './types.ts';

const ENSURE_DEADLINE = `INSERT INTO presence (client_id, kind, deadline_at) VALUES (?, 'device', ?)
  ON CONFLICT(client_id) DO NOTHING`;
const HEARD = `INSERT INTO presence (client_id, kind, last_seen_at, deadline_at, silent_since) VALUES (?, 'device', ?, ?, NULL)
  ON CONFLICT(client_id) DO UPDATE SET last_seen_at = MAX(COALESCE(last_seen_at, 0), excluded.last_seen_at),
    deadline_at = MAX(COALESCE(deadline_at, 0), excluded.deadline_at), silent_since = NULL`;
const SET_STATE = `INSERT INTO presence (client_id, kind, state, state_at) VALUES (?, ?, ?, ?)
  ON CONFLICT(client_id) DO UPDATE SET state = excluded.state, state_at = excluded.state_at`;
const NEXT_DEADLINE = `SELECT MIN(deadline_at) AS next FROM presence
  WHERE kind = 'device' AND silent_since IS NULL AND deadline_at IS NOT NULL`;
const DUE = `SELECT client_id, last_seen_at, deadline_at FROM presence
  WHERE kind = 'device' AND silent_since IS NULL AND deadline_at IS NOT NULL AND deadline_at <= ?`;
const CLAIM = 'UPDATE presence SET silent_since = ? WHERE client_id = ? AND silent_since IS NULL';

const nullableNum = (v: unknown) => (v === null || v === undefined ? null : Number(v));

/** Presence and heartbeat deadlines on the embedded store. */
export function createSqlitePresenceStore(db: Db): PresenceStore {
  const conn = connectionOf(db);
  return {
    ensureDeadlines(devices) {
      return conn.transaction(() =>
        conn.use(() => {
          const insert = conn.statement(ENSURE_DEADLINE);
          for (const d of devices) insert.run(d.deviceId, d.deadlineAt);
        }),
      );
    },
    silentClients() {
      return conn.use(() =>
        conn
          .statement('SELECT client_id FROM presence WHERE silent_since IS NOT NULL')
          .all()
          .map((r) => String(r.client_id)),
      );
    },
    write(heard, states) {
      return conn.transaction(() =>
        conn.use(() => {
          const h = conn.statement(HEARD);
          for (const u of heard) h.run(u.deviceId, u.lastSeenAt, u.deadlineAt);
          const s = conn.statement(SET_STATE);
          for (const u of states) s.run(u.clientId, u.kind, u.state, u.at);
        }),
      );
    },
    stateOf(clientId) {
      return conn.use(() => {
        const row = conn.statement('SELECT state FROM presence WHERE client_id = ?').get(clientId);
        return row ? String(row.state) : null;
      });
    },
    list() {
      return conn.use((): PresenceRow[] =>
        conn
          .statement('SELECT * FROM presence ORDER BY client_id')
          .all()
          .map((r) => ({
            clientId: String(r.client_id),
            kind: String(r.kind),
            state: String(r.state),
            lastSeenAt: nullableNum(r.last_seen_at),
            deadlineAt: nullableNum(r.deadline_at),
            silentSince: nullableNum(r.silent_since),
          })),
      );
    },
    nextDeadline() {
      return conn.use(() => nullableNum(conn.statement(NEXT_DEADLINE).get()?.next));
    },
    due(now) {
      return conn.use((): DueDeadline[] =>
        conn
          .statement(DUE)
          .all(now)
          .map((r) => ({
            clientId: String(r.client_id),
            lastSeenAt: nullableNum(r.last_seen_at),
            deadlineAt: Number(r.deadline_at),
          })),
      );
    },
    claimSilence(deviceId, at) {
      return conn.use(() => Number(conn.statement(CLAIM).run(at, deviceId).changes) === 1);
    },
  };
}
