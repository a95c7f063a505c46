/**
 * The console room's store: login sessions (console/migrations.ts). Every method returns a Promise,
 * although SQLite answers at once: a second adapter (PostgreSQL) may not. The SQLite adapter is
 * sqlite.ts beside this file; all session SQL is there. Only a token's hash is stored.
 */

/** A session a bearer token opened. */
export interface Session {
  userId: number;
  /** epoch ms, hub clock */
  expiresAt: number;
}

export interface SessionStore {
  /** Opens a session of `userId` for `ttlMs`; resolves to the bearer token (only its hash is kept). */
  createSession(userId: number, ttlMs: number): Promise<{ token: string; expiresAt: number }>;
  /** The session of a token that has not expired (hub clock), or null. Whether its user may still log in is the caller's. */
  sessionUser(token: string): Promise<Session | null>;
  /** Ends the session of a token (a logout); nothing when there is none. */
  deleteSession(token: string): Promise<void>;
  /** Ends every session of a user (disabled, deleted, a new password); resolves to how many ended. */
  deleteSessions(userId: number): Promise<number>;
}
