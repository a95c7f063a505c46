import type { RoomMigrations } from '../kernel/migrate.ts';

/**
 * The ingest room's tables: durable intake (messages, outbox, dedupe, quarantine, faults, meters),
 * presence, the InfluxDB dead letter and local history, Zigbee pairing. Versions are global
 * (kernel/migrate.ts); append only, never edit a released one.
 */
export const INGEST_MIGRATIONS: RoomMigrations = {
  room: 'ingest',
  migrations: [
    {
      version: 2,
      name: 'durable intake',
      sql: `
      -- Every accepted device message, canonical form, written before the device is acknowledged.
      CREATE TABLE messages (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id TEXT NOT NULL,
        household_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        seq INTEGER,
        qos INTEGER NOT NULL,
        received_at INTEGER NOT NULL, -- epoch ms, hub clock
        device_time INTEGER,          -- epoch ms, device clock (never trusted for ordering)
        body TEXT NOT NULL            -- CanonicalMessage JSON
      );
      CREATE INDEX messages_device ON messages(device_id, id);
      -- Messages not yet written to InfluxDB; the writer deletes rows once written.
      CREATE TABLE outbox (
        message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
        enqueued_at INTEGER NOT NULL
      );
      -- (device, seq) accepted recently, for dropping retransmissions.
      CREATE TABLE seen_seq (
        device_id TEXT NOT NULL,
        seq INTEGER NOT NULL,
        payload_hash TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        PRIMARY KEY (device_id, seq)
      ) WITHOUT ROWID;
      CREATE INDEX seen_seq_age ON seen_seq(received_at);
      -- Bad input, kept with its reason (device-protocol.md, Bad input).
      CREATE TABLE quarantine (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,
        client_id TEXT NOT NULL,
        device_id TEXT,
        topic TEXT NOT NULL,
        code TEXT NOT NULL,
        detail TEXT NOT NULL,
        seq INTEGER,
        size INTEGER NOT NULL, -- bytes of the original payload
        payload BLOB NOT NULL
      );
      CREATE INDEX quarantine_device ON quarantine(device_id, id);
      CREATE TABLE device_faults (
        device_id TEXT PRIMARY KEY,
        count INTEGER NOT NULL,
        last_code TEXT NOT NULL,
        last_at INTEGER NOT NULL,
        flagged_at INTEGER
      );
      CREATE TABLE meter_state (
        device_id TEXT PRIMARY KEY,
        total_liters REAL NOT NULL,
        at INTEGER NOT NULL
      );
      CREATE TABLE meter_faults (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        device_id TEXT NOT NULL,
        at INTEGER NOT NULL,
        previous_liters REAL NOT NULL,
        reported_liters REAL NOT NULL
      );
      -- Presence: connection state and the heartbeat deadline (3 x the type's interval).
      CREATE TABLE presence (
        client_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,           -- device | gateway
        state TEXT NOT NULL DEFAULT 'unknown',
        state_at INTEGER,
        last_seen_at INTEGER,
        deadline_at INTEGER,
        silent_since INTEGER
      );
      CREATE INDEX presence_deadline ON presence(deadline_at);
    `,
    },
    {
      version: 3,
      name: 'influx dead letter and local history',
      sql: `
      -- Lines InfluxDB refused (400/422 after bisection, or 413 for a single line), kept with its error.
      -- No foreign key to messages: a dead letter outlives the message store's retention.
      CREATE TABLE dead_letter (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,          -- epoch ms, hub clock, when it was set aside
        message_id INTEGER NOT NULL,  -- messages.id of the accepted message
        device_id TEXT NOT NULL,
        household_id TEXT NOT NULL,
        status INTEGER,               -- InfluxDB's HTTP status; NULL when no point could be built
        error TEXT NOT NULL,          -- InfluxDB's error message (or the schema's)
        line TEXT NOT NULL            -- the line protocol refused (empty when no point could be built)
      );
      CREATE INDEX dead_letter_device ON dead_letter(device_id, id);
      -- Hourly aggregates of the recent window (30 days): history without (or while without) InfluxDB.
      CREATE TABLE hourly_stats (
        device_id TEXT NOT NULL,
        metric TEXT NOT NULL,         -- seen | motion | usage_liters | heart_rate | spo2 | battery
        hour INTEGER NOT NULL,        -- epoch ms of the UTC hour's start (receive time)
        household_id TEXT NOT NULL,
        room TEXT,
        count INTEGER NOT NULL,
        sum REAL NOT NULL,
        min REAL NOT NULL,
        max REAL NOT NULL,
        last REAL NOT NULL,           -- the value received last in the hour
        last_at INTEGER NOT NULL,     -- epoch ms it was received
        PRIMARY KEY (device_id, metric, hour)
      ) WITHOUT ROWID;
      CREATE INDEX hourly_stats_household ON hourly_stats(household_id, metric, hour);
      -- How far the hourly aggregates have read the message store.
      CREATE TABLE history_cursor (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        message_id INTEGER NOT NULL   -- messages.id of the last message aggregated
      );
    `,
    },
    {
      version: 12,
      name: 'zigbee pairing',
      sql: `
      -- The Zigbee devices each gateway's Zigbee2MQTT knows (issue 23, pairing; ingest/zigbee-pairing-store.ts):
      -- its retained bridge/devices replaces the gateway's rows; bridge/event device_joined and
      -- device_interview add or update one, device_leave removes it.
      CREATE TABLE zigbee_devices (
        gateway_id TEXT NOT NULL REFERENCES gateways(id) ON DELETE CASCADE,
        ieee_address TEXT NOT NULL,     -- 0x + 16 hex digits, lower case
        friendly_name TEXT NOT NULL,
        model TEXT,                     -- Zigbee2MQTT definition: model, vendor, description
        vendor TEXT,
        description TEXT,
        suggested_type TEXT,            -- hub device type its exposed features suggest: leak, motion, button
        interview TEXT,                 -- started | successful | failed; NULL: not heard
        first_seen_at INTEGER NOT NULL, -- epoch ms, hub clock: first heard of
        updated_at INTEGER NOT NULL,    -- epoch ms, hub clock: last heard of
        PRIMARY KEY (gateway_id, ieee_address)
      );
      -- Quarantined input an operator dealt with: an unknown friendly name provisioned from the pairing list.
      ALTER TABLE quarantine ADD COLUMN resolved_at INTEGER; -- epoch ms, hub clock
      ALTER TABLE quarantine ADD COLUMN resolution TEXT;     -- e.g. "provisioned as z-leak-0002"
      CREATE INDEX quarantine_client_unresolved ON quarantine(client_id, code) WHERE resolved_at IS NULL;
    `,
    },
  ],
};
