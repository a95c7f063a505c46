import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { SettingsOverridesStore } from './types.ts';

const PUT = `INSERT INTO alert_settings (scope, id, overrides, updated_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (scope, id) DO UPDATE SET overrides = excluded.overrides, updated_at = excluded.updated_at`;

/** The rule settings' overrides (`alert_settings`, migration 6) on the embedded store. */
export function createSqliteSettingsOverridesStore(db: Db): SettingsOverridesStore {
  const conn = connectionOf(db);
  return {
    get: (scope, id) =>
      conn.use(() => {
        const row = conn
          .statement('SELECT overrides FROM alert_settings WHERE scope = ? AND id = ?')
          .get(scope, id);
        return row ? (JSON.parse(String(row.overrides)) as unknown) : null;
      }),
    put: (scope, id, overrides, at) =>
      conn.use(() => {
        conn.statement(PUT).run(scope, id, JSON.stringify(overrides), at);
      }),
    delete: (scope, id) =>
      conn.use(
        () =>
          Number(
            conn.statement('DELETE FROM alert_settings WHERE scope = ? AND id = ?').run(scope, id).changes,
          ) > 0,
      ),
  };
}
