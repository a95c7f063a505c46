import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import { newestFirst } from '../../kernel/store/newest-first.ts';
import type { DeadLetter, OutboxRow, OutboxStore } from './types.ts';

const READ = `SELECT o.message_id, m.device_id, m.household_id, m.body
  FROM outbox o JOIN messages m ON m.id = o.message_id
  ORDER BY o.message_id LIMIT ?`;
// One parameter for any number of ids (SQLite caps bound parameters).
const REMOVE = 'DELETE FROM outbox WHERE message_id IN (SELECT value FROM json_each(?))';
const INSERT_DEAD_LETTER = `INSERT INTO dead_letter (at, message_id, device_id, household_id, status, error, line)
  VALUES (?, ?, ?, ?, ?, ?, ?)`;

/** The InfluxDB outbox and dead letter on the embedded store. */
export function createSqliteOutboxStore(db: Db): OutboxStore {
  const conn = connectionOf(db);
  return {
    read(limit) {
      return conn.use((): OutboxRow[] =>
        conn
          .statement(READ)
          .all(limit)
          .map((r) => ({
            messageId: Number(r.message_id),
            deviceId: String(r.device_id),
            householdId: String(r.household_id),
            body: String(r.body),
          })),
      );
    },
    written(messageIds) {
      return conn.use(() => {
        conn.statement(REMOVE).run(JSON.stringify(messageIds));
      });
    },
    deadLetter(entries) {
      return conn.transaction(() =>
        conn.use(() => {
          const insert = conn.statement(INSERT_DEAD_LETTER);
          for (const d of entries)
            insert.run(d.at, d.messageId, d.deviceId, d.householdId, d.status, d.error, d.line);
          conn.statement(REMOVE).run(JSON.stringify(entries.map((e) => e.messageId)));
        }),
      );
    },
    depth() {
      return conn.use(() =>
        Number((conn.statement('SELECT COUNT(*) AS n FROM outbox').get() as { n: number }).n),
      );
    },
    oldestEnqueuedAt() {
      return conn.use(() => {
        const row = conn.statement('SELECT enqueued_at FROM outbox ORDER BY message_id LIMIT 1').get();
        return row ? Number(row.enqueued_at) : null;
      });
    },
    deadLetters(opts) {
      return conn.use((d): DeadLetter[] =>
        newestFirst(d, 'dead_letter', {
          filters: opts.deviceId ? [['device_id = ?', [opts.deviceId]]] : [],
          beforeId: opts.beforeId,
          limit: opts.limit,
        }).map((r) => ({
          id: Number(r.id),
          at: Number(r.at),
          messageId: Number(r.message_id),
          deviceId: String(r.device_id),
          householdId: String(r.household_id),
          status: r.status === null ? null : Number(r.status),
          error: String(r.error),
          line: String(r.line),
        })),
      );
    },
    deadLetterCount() {
      return conn.use(() =>
        Number((conn.statement('SELECT COUNT(*) AS n FROM dead_letter').get() as { n: number }).n),
      );
    },
  };
}
