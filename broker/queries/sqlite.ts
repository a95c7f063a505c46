import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { SecurityEventKind } from '../store/types.ts';
import type { BrokerQueries } from './types.ts';

/** The broker room's queries on the embedded store (through its connection: kernel/sqlite-connection.ts). */
export function createSqliteBrokerQueries(db: Db): BrokerQueries {
  const conn = connectionOf(db);
  return {
    securityEvents(filter = {}) {
      const where: string[] = [];
      const args: string[] = [];
      if (filter.kind !== undefined) {
        where.push('kind = ?');
        args.push(filter.kind);
      }
      if (filter.clientId !== undefined) {
        where.push('client_id = ?');
        args.push(filter.clientId);
      }
      return conn.use(() =>
        conn
          .statement(
            `SELECT id, at, kind, client_id, address, detail FROM security_events
           ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`,
          )
          .all(...args)
          .map((r) => ({
            id: Number(r.id),
            at: Number(r.at),
            kind: String(r.kind) as SecurityEventKind,
            clientId: r.client_id === null ? null : String(r.client_id),
            address: r.address === null ? null : String(r.address),
            detail: String(r.detail),
          })),
      );
    },
  };
}
