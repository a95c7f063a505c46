import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { PolicyStore } from './types.ts';

const PUT = `INSERT INTO incident_policy (scope, key, policy, updated_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (scope, key) DO UPDATE SET policy = excluded.policy, updated_at = excluded.updated_at`;

/** The incident policy overrides (`incident_policy`, migration 10) on the embedded store. */
export function createSqlitePolicyStore(db: Db): PolicyStore {
  const conn = connectionOf(db);
  return {
    get: (scope, key) =>
      conn.use(() => {
        const row = conn
          .statement('SELECT policy FROM incident_policy WHERE scope = ? AND key = ?')
          .get(scope, key);
        return row ? (JSON.parse(String(row.policy)) as unknown) : null;
      }),
    put: (scope, key, policy, at) =>
      conn.use(() => {
        conn.statement(PUT).run(scope, key, JSON.stringify(policy), at);
      }),
    delete: (scope, key) =>
      conn.use(
        () =>
          Number(
            conn.statement('DELETE FROM incident_policy WHERE scope = ? AND key = ?').run(scope, key).changes,
          ) > 0,
      ),
  };
}
