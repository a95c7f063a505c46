import type { RoomMigrations } from './migrate.ts';

/**
 * The kernel's tables: the registry (households, residents, contacts, gateways, devices, stations,
 * responders) and the users. Versions are global (kernel/migrate.ts); append only, never edit a released one.
 */
export const KERNEL_MIGRATIONS: RoomMigrations = {
  room: 'kernel',
  migrations: [
    {
      // Version 1 was one migration of every room's first tables: its other parts are console's sessions and
      // broker's security_events (kernel/migrate.ts, SPLIT_VERSIONS).
      version: 1,
      name: 'registry',
      sql: `
      CREATE TABLE households (
        id TEXT PRIMARY KEY,
        address TEXT NOT NULL,
        grid TEXT NOT NULL,
        lat REAL, lon REAL,
        notes TEXT NOT NULL DEFAULT '',
        sharing TEXT NOT NULL DEFAULT 'status' CHECK (sharing IN ('status', 'rhythm')),
        created_at TEXT NOT NULL, updated_at TEXT NOT NULL
      );
      CREATE TABLE residents (
        id TEXT PRIMARY KEY,
        household_id TEXT NOT NULL REFERENCES households(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        birth_year INTEGER,
        care_notes TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
        language TEXT NOT NULL DEFAULT 'zh'
      );
      CREATE INDEX residents_household ON residents(household_id);
      CREATE TABLE contacts (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        household_id TEXT NOT NULL REFERENCES households(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        relation TEXT NOT NULL DEFAULT '',
        phone TEXT NOT NULL,
        priority INTEGER NOT NULL DEFAULT 1
      );
      CREATE INDEX contacts_household ON contacts(household_id);
      CREATE TABLE gateways (
        id TEXT PRIMARY KEY,
        household_id TEXT NOT NULL REFERENCES households(id) ON DELETE CASCADE,
        secret_hash TEXT NOT NULL,
        enabled INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
      );
      CREATE TABLE devices (
        id TEXT PRIMARY KEY,
        household_id TEXT NOT NULL REFERENCES households(id) ON DELETE CASCADE,
        type TEXT NOT NULL CHECK (type IN ('button', 'wristband', 'motion', 'leak', 'water_meter')),
        room TEXT,
        resident_id TEXT REFERENCES residents(id) ON DELETE SET NULL,
        gateway_id TEXT REFERENCES gateways(id) ON DELETE CASCADE,
        friendly_name TEXT,
        secret_hash TEXT, -- NULL for Zigbee devices behind a gateway: they never connect themselves
        enabled INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL,
        UNIQUE (gateway_id, friendly_name)
      );
      CREATE INDEX devices_household ON devices(household_id);
      CREATE TABLE users (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        username TEXT NOT NULL UNIQUE,
        role TEXT NOT NULL CHECK (role IN ('admin', 'dispatcher', 'supervisor', 'responder', 'family')),
        password_hash TEXT NOT NULL,
        display_name TEXT NOT NULL DEFAULT '',
        enabled INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
      );
      CREATE TABLE user_households (
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        household_id TEXT NOT NULL REFERENCES households(id) ON DELETE CASCADE,
        PRIMARY KEY (user_id, household_id)
      );
      CREATE TABLE stations (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        lat REAL, lon REAL
      );
      CREATE TABLE responders (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('grid_worker', 'station_staff', 'volunteer')),
        phone TEXT NOT NULL DEFAULT '',
        grids TEXT NOT NULL DEFAULT '[]', -- JSON array of grid ids
        station_id TEXT REFERENCES stations(id) ON DELETE SET NULL,
        user_id INTEGER REFERENCES users(id) ON DELETE SET NULL
      );
    `,
    },
    {
      version: 11,
      name: 'zigbee button sos actions',
      sql: `
      -- Zigbee2MQTT \`action\` values that mean SOS for a button behind a gateway (issue 23): a JSON array of
      -- strings; NULL: the default list (ingest/schemas.ts DEFAULT_BUTTON_ACTIONS).
      ALTER TABLE devices ADD COLUMN sos_actions TEXT;
    `,
    },
    {
      version: 13,
      name: 'import journal',
      sql: `
      -- What an import job's batches overwrote (issue 16, item 5): one row per committed batch, the prior
      -- rows of every registry row the batch wrote, as JSON (kernel/provisioning/store/). A job that is
      -- abandoned, or a hub that died during one, puts them back; a job that commits deletes its rows.
      CREATE TABLE import_journal (
        job_id TEXT NOT NULL,
        batch INTEGER NOT NULL,
        snapshots TEXT NOT NULL,
        PRIMARY KEY (job_id, batch)
      );
    `,
    },
  ],
};
