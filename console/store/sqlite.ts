import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../kernel/clock.ts';
import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { SessionStore } from './types.ts';

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

const INSERT = 'INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)';
const LIVE = 'SELECT user_id, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?';

/** The console's sessions on the embedded store (the shared connection: kernel/sqlite-connection.ts). */
export function createSqliteSessionStore(db: Db, clock: Clock): SessionStore {
  const conn = connectionOf(db);
  return {
    createSession(userId, ttlMs) {
      const token = randomBytes(32).toString('base64url');
      return conn.use(() => {
        const now = clock.now();
        const expiresAt = now + ttlMs;
        conn.statement(INSERT).run(tokenHash(token), userId, now, expiresAt);
        return { token, expiresAt };
      });
    },
    sessionUser(token) {
      return conn.use(() => {
        const row = conn.statement(LIVE).get(tokenHash(token), clock.now());
        return row ? { userId: Number(row.user_id), expiresAt: Number(row.expires_at) } : null;
      });
    },
    deleteSession(token) {
      return conn.use(() => {
        conn.statement('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash(token));
      });
    },
    deleteSessions(userId) {
      return conn.use(() =>
        Number(conn.statement('DELETE FROM sessions WHERE user_id = ?').run(userId).changes),
      );
    },
  };
}
