import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { Row } from './sqlite-rows.ts';
import type { StoredTimer, TimerStore } from './types.ts';

const toTimer = (r: Row): StoredTimer => ({
  key: String(r.key),
  kind: String(r.kind),
  householdId: String(r.household_id),
  dueAt: Number(r.due_at),
  armedAt: Number(r.armed_at),
  payload: JSON.parse(String(r.payload)) as unknown,
});

const PUT = `INSERT INTO alert_timers (key, kind, household_id, due_at, armed_at, payload) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, household_id = excluded.household_id,
    due_at = excluded.due_at, armed_at = excluded.armed_at, payload = excluded.payload`;
const ARMED = 'SELECT * FROM alert_timers WHERE key = ? AND due_at = ? AND armed_at = ?';
const CLAIM = 'DELETE FROM alert_timers WHERE key = ? AND due_at = ? AND armed_at = ?';
/** A key prefix as a LIKE pattern: its own `%`, `_` and `\` match only themselves. */
const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The persisted rule timers (`alert_timers`, migration 4) on the embedded store. */
export function createSqliteTimerStore(db: Db): TimerStore {
  const conn = connectionOf(db);
  return {
    all: () =>
      conn.use(() => conn.statement('SELECT * FROM alert_timers ORDER BY due_at').all().map(toTimer)),
    put: (t) =>
      conn.use(() => {
        conn.statement(PUT).run(t.key, t.kind, t.householdId, t.dueAt, t.armedAt, JSON.stringify(t.payload));
      }),
    delete: (key) =>
      conn.use(() => Number(conn.statement('DELETE FROM alert_timers WHERE key = ?').run(key).changes) > 0),
    get: (key) =>
      conn.use(() => {
        const row = conn.statement('SELECT * FROM alert_timers WHERE key = ?').get(key);
        return row ? toTimer(row) : null;
      }),
    // One synchronous piece: the read and the conditional DELETE that claims it.
    claim: (key, dueAt, armedAt) =>
      conn.use(() => {
        const row = conn.statement(ARMED).get(key, dueAt, armedAt);
        if (!row) return null;
        return Number(conn.statement(CLAIM).run(key, dueAt, armedAt).changes) === 1 ? toTimer(row) : null;
      }),
    list: ({ kind, keyPrefix }) =>
      conn.use(() =>
        conn
          .statement("SELECT * FROM alert_timers WHERE kind = ? AND key LIKE ? ESCAPE '\\' ORDER BY due_at")
          .all(kind, likePrefix(keyPrefix))
          .map(toTimer),
      ),
  };
}
