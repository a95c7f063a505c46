import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { RuleStateStore } from './types.ts';

const SET = `INSERT INTO alert_state (key, value, updated_at) VALUES (?, ?, ?)
  ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`;

/** The rules' small persisted state (`alert_state`, migration 4) on the embedded store. */
export function createSqliteRuleStateStore(db: Db): RuleStateStore {
  const conn = connectionOf(db);
  return {
    get: (key) =>
      conn.use(() => {
        const row = conn.statement('SELECT value FROM alert_state WHERE key = ?').get(key);
        return row ? (JSON.parse(String(row.value)) as unknown) : null;
      }),
    set: (key, value, at) =>
      conn.use(() => {
        conn.statement(SET).run(key, JSON.stringify(value), at);
      }),
    delete: (key) =>
      conn.use(() => {
        conn.statement('DELETE FROM alert_state WHERE key = ?').run(key);
      }),
  };
}
