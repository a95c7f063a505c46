import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { QuarantineStore } from './types.ts';

const UNRESOLVED = `SELECT id, topic FROM quarantine
  WHERE client_id = ? AND code = 'unknown_device' AND resolved_at IS NULL`;
const RESOLVE = 'UPDATE quarantine SET resolved_at = ?, resolution = ? WHERE id = ? AND resolved_at IS NULL';

/** Marking quarantined input resolved, on the embedded store. */
export function createSqliteQuarantineStore(db: Db): QuarantineStore {
  const conn = connectionOf(db);
  return {
    transaction: (fn) => conn.transaction(fn),
    unresolvedUnknownDevices(clientId) {
      return conn.use(() =>
        conn
          .statement(UNRESOLVED)
          .all(clientId)
          .map((r) => ({ id: Number(r.id), topic: String(r.topic) })),
      );
    },
    markResolved(ids, at, resolution) {
      return conn.use(() => {
        const resolve = conn.statement(RESOLVE);
        let n = 0;
        for (const id of ids) n += Number(resolve.run(at, resolution, id).changes);
        return n;
      });
    },
  };
}
