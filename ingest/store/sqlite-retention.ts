import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { RetentionStore } from './types.ts';

const DELETE_MESSAGES = `DELETE FROM messages WHERE id IN (
  SELECT id FROM messages WHERE received_at < ? AND id <= ?
    AND id NOT IN (SELECT message_id FROM outbox) LIMIT ?)`;
const DELETE_QUARANTINE =
  'DELETE FROM quarantine WHERE id IN (SELECT id FROM quarantine WHERE at < ? LIMIT ?)';
const DELETE_DEAD_LETTERS =
  'DELETE FROM dead_letter WHERE id IN (SELECT id FROM dead_letter WHERE at < ? LIMIT ?)';

/** Retention's deletes on the embedded store (each one chunk: one statement). */
export function createSqliteRetentionStore(db: Db): RetentionStore {
  const conn = connectionOf(db);
  const changes = (sql: string, ...args: number[]) =>
    conn.use(() => Number(conn.statement(sql).run(...args).changes));
  return {
    aggregatedUpTo() {
      return conn.use(() => {
        const row = conn.statement('SELECT message_id FROM history_cursor WHERE id = 1').get();
        return row ? Number(row.message_id) : 0;
      });
    },
    deleteMessages: (before, upToId, limit) => changes(DELETE_MESSAGES, before, upToId, limit),
    deleteQuarantine: (before, limit) => changes(DELETE_QUARANTINE, before, limit),
    deleteDeadLetters: (before, limit) => changes(DELETE_DEAD_LETTERS, before, limit),
  };
}
