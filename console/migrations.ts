import type { RoomMigrations } from '../kernel/migrate.ts';

/**
 * The console's tables: login sessions. Versions are global (kernel/migrate.ts); append only, never
 * edit a released one.
 */
export const CONSOLE_MIGRATIONS: RoomMigrations = {
  room: 'console',
  migrations: [
    {
      // A part of version 1, the old single list's first migration (kernel/migrate.ts, SPLIT_VERSIONS).
      version: 1,
      name: 'sessions',
      sql: `
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL, -- epoch ms
        expires_at INTEGER NOT NULL  -- epoch ms
      );
    `,
    },
  ],
};
