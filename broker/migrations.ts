import type { RoomMigrations } from '../kernel/migrate.ts';

/**
 * The broker's tables: the security log (broker/security-log.ts). Versions are global (kernel/migrate.ts);
 * append only, never edit a released one.
 */
export const BROKER_MIGRATIONS: RoomMigrations = {
  room: 'broker',
  migrations: [
    {
      // A part of version 1, the old single list's first migration (kernel/migrate.ts, SPLIT_VERSIONS).
      version: 1,
      name: 'security events',
      sql: `
      CREATE TABLE security_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL, -- epoch ms
        kind TEXT NOT NULL,
        client_id TEXT,
        address TEXT,
        detail TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX security_events_at ON security_events(at);
    `,
    },
  ],
};
