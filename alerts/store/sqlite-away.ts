import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { AwayStore } from './types.ts';

const PUT = `INSERT INTO away_periods (household_id, until, reason, set_by, set_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT(household_id) DO UPDATE SET until = excluded.until, reason = excluded.reason,
    set_by = excluded.set_by, set_at = excluded.set_at`;
const IN_FORCE =
  'SELECT until, reason, set_by, set_at FROM away_periods WHERE household_id = ? AND until > ?';

/** The declared away periods (`away_periods`, migration 5) on the embedded store. */
export function createSqliteAwayStore(db: Db): AwayStore {
  const conn = connectionOf(db);
  return {
    put: (d) =>
      conn.use(() => {
        conn.statement(PUT).run(d.householdId, d.until, d.reason, d.setBy, d.setAt);
      }),
    delete: (householdId) =>
      conn.use(
        () =>
          Number(conn.statement('DELETE FROM away_periods WHERE household_id = ?').run(householdId).changes) >
          0,
      ),
    expire: (householdId, until) =>
      conn.use(
        () =>
          Number(
            conn
              .statement('DELETE FROM away_periods WHERE household_id = ? AND until = ?')
              .run(householdId, until).changes,
          ) > 0,
      ),
    inForce: (householdId, now) =>
      conn.use(() => {
        const r = conn.statement(IN_FORCE).get(householdId, now);
        if (!r) return null;
        return {
          householdId,
          until: Number(r.until),
          reason: String(r.reason),
          setBy: String(r.set_by),
          setAt: Number(r.set_at),
        };
      }),
  };
}
