import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { BrokerStore } from './types.ts';

const INSERT = 'INSERT INTO security_events (at, kind, client_id, address, detail) VALUES (?, ?, ?, ?, ?)';
const DELETE =
  'DELETE FROM security_events WHERE id IN (SELECT id FROM security_events WHERE at < ? LIMIT ?)';

/** The broker room's store on the embedded store. */
export function createSqliteBrokerStore(db: Db): BrokerStore {
  const conn = connectionOf(db);
  return {
    insertSecurityEvent(e) {
      return conn.use(() => {
        conn.statement(INSERT).run(e.at, e.kind, e.clientId, e.address, e.detail);
      });
    },
    deleteSecurityEvents(before, limit) {
      return conn.use(() => Number(conn.statement(DELETE).run(before, limit).changes));
    },
  };
}
