/** Versioned schema migrations of the embedded store. Append only: never edit a released one. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
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
      CREATE TABLE sessions (
        token_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL, -- epoch ms
        expires_at INTEGER NOT NULL  -- epoch ms
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
    version: 4,
    name: 'alarms and rule timers',
    sql: `
      -- Alarms raised by the detection rules (alerts/). At most one open per household and type.
      CREATE TABLE alarms (
        id TEXT PRIMARY KEY,
        household_id TEXT NOT NULL,
        resident_id TEXT,
        type TEXT NOT NULL,
        class TEXT NOT NULL CHECK (class IN ('emergency', 'wellness', 'non_emergency')),
        severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
        status TEXT NOT NULL CHECK (status IN ('open', 'closed')),
        opened_at INTEGER NOT NULL,   -- epoch ms, hub clock
        updated_at INTEGER NOT NULL,
        closed_at INTEGER,
        closed_by TEXT,
        close_reason TEXT,
        count INTEGER NOT NULL DEFAULT 1,
        evidence TEXT NOT NULL,       -- JSON array of Evidence (alerts/alarm.ts)
        explanation_zh TEXT NOT NULL,
        explanation_en TEXT NOT NULL,
        notes TEXT NOT NULL DEFAULT '[]', -- JSON array of AlarmNote
        late INTEGER NOT NULL DEFAULT 0
      );
      CREATE UNIQUE INDEX alarms_open_per_type ON alarms(household_id, type) WHERE status = 'open';
      CREATE INDEX alarms_household ON alarms(household_id, opened_at);
      -- Pending rule timers (bathroom 45 min, fall 5 min …): re-armed on start, fired late if due while down.
      CREATE TABLE alert_timers (
        key TEXT PRIMARY KEY,         -- rule:household[:device]
        kind TEXT NOT NULL,
        household_id TEXT NOT NULL,
        due_at INTEGER NOT NULL,      -- epoch ms, hub clock
        armed_at INTEGER NOT NULL,
        payload TEXT NOT NULL         -- JSON, the rule's own
      );
      CREATE INDEX alert_timers_due ON alert_timers(due_at);
      -- Small per-rule state that must survive a restart (vital streaks, battery low per device …).
      CREATE TABLE alert_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,          -- JSON
        updated_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 5,
    name: 'alerts away periods and baselines',
    sql: `
      -- A household marked away (in hospital, visiting family) by a family member or dispatcher, until an
      -- end time: the inactivity and water-use rules are suppressed meanwhile. One per household.
      CREATE TABLE away_periods (
        household_id TEXT PRIMARY KEY,
        until INTEGER NOT NULL,       -- epoch ms, hub clock: the suppression expires then
        reason TEXT NOT NULL,
        set_by TEXT NOT NULL,         -- the console user (username) who marked it
        set_at INTEGER NOT NULL
      );
      -- Personal baselines (issue 5) per resident, from the hourly aggregates of the last 14 days.
      CREATE TABLE alert_baselines (
        resident_id TEXT PRIMARY KEY,
        household_id TEXT NOT NULL,
        days INTEGER NOT NULL,        -- days with data the baseline was computed from
        first_motion_min REAL,        -- usual first movement, local minutes after midnight (median)
        first_motion_spread_min REAL, -- median absolute deviation of it, minutes
        first_water_min REAL,         -- usual first water use, local minutes after midnight (median)
        daily_liters REAL,            -- usual daily water volume, litres (median)
        night_motion REAL,            -- usual motion events in the night hours (median)
        computed_at INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    name: 'alerts settings overrides',
    sql: `
      -- Per-household and per-resident overrides of the rule settings (issue 5: "every threshold
      -- configurable per household or resident"); the resident's win over the household's, which win over
      -- the hub's defaults (alerts/settings.ts).
      CREATE TABLE alert_settings (
        scope TEXT NOT NULL CHECK (scope IN ('household', 'resident')),
        id TEXT NOT NULL,             -- households.id or residents.id
        overrides TEXT NOT NULL,      -- JSON: partial settings (alerts/settings-schema.ts)
        updated_at INTEGER NOT NULL,  -- epoch ms, hub clock
        PRIMARY KEY (scope, id)
      );
    `,
  },
  {
    version: 7,
    name: 'incidents',
    sql: `
      -- Incidents (issue 6): opened from an alarm; a further alarm of the same household and type joins the
      -- open one. At most one not-closed incident per household and alarm type (partial unique index).
      CREATE TABLE incidents (
        id TEXT PRIMARY KEY,
        household_id TEXT NOT NULL,
        resident_id TEXT,
        alarm_type TEXT NOT NULL,
        class TEXT NOT NULL CHECK (class IN ('emergency', 'wellness', 'non_emergency')),
        severity TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('open', 'acknowledged', 'dispatched', 'on_site', 'resolved', 'cancelled')),
        opened_at INTEGER NOT NULL,   -- epoch ms, hub clock: the alarm's time
        updated_at INTEGER NOT NULL,
        closed_at INTEGER,
        pending_responder_id TEXT,    -- assigned, not yet accepted
        assigned_at INTEGER,
        responder_id TEXT,            -- the responder who accepted
        outcome TEXT,                 -- when resolved (alerts/incidents/model.ts OUTCOMES)
        note TEXT,
        cancel_reason TEXT,
        alarm_count INTEGER NOT NULL DEFAULT 1,
        evidence TEXT NOT NULL,       -- JSON array of Evidence (alerts/alarm.ts), first + newest kept
        explanation_zh TEXT NOT NULL,
        explanation_en TEXT NOT NULL,
        stages TEXT NOT NULL          -- JSON: per SLA stage {dueAt, doneAt, tookMs, met}
      );
      CREATE UNIQUE INDEX incidents_open_per_type ON incidents(household_id, alarm_type)
        WHERE state NOT IN ('resolved', 'cancelled');
      CREATE INDEX incidents_opened ON incidents(opened_at);
      CREATE INDEX incidents_household ON incidents(household_id, opened_at);
      -- The alarms joined into an incident.
      CREATE TABLE incident_alarms (
        incident_id TEXT NOT NULL,
        alarm_id TEXT NOT NULL,
        joined_at INTEGER NOT NULL,
        PRIMARY KEY (incident_id, alarm_id)
      );
      -- Every transition, assignment, comment, join and escalation: append-only (the triggers refuse change).
      CREATE TABLE incident_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        incident_id TEXT NOT NULL,
        at INTEGER NOT NULL,          -- epoch ms, hub clock
        action TEXT NOT NULL,
        from_state TEXT,
        to_state TEXT,
        user_id INTEGER,              -- null: the system
        username TEXT,
        ip TEXT,
        user_agent TEXT,
        detail TEXT NOT NULL DEFAULT '{}' -- JSON
      );
      CREATE INDEX incident_audit_incident ON incident_audit(incident_id, id);
      CREATE TRIGGER incident_audit_no_update BEFORE UPDATE ON incident_audit
        BEGIN SELECT RAISE(ABORT, 'incident_audit is append-only'); END;
      CREATE TRIGGER incident_audit_no_delete BEFORE DELETE ON incident_audit
        BEGIN SELECT RAISE(ABORT, 'incident_audit is append-only'); END;
    `,
  },
  {
    version: 8,
    name: 'notification deliveries',
    sql: `
      -- Deliveries of incident notifications (alerts/notifications/): one row per notification and target
      -- (a webhook URL, a device's command topic), with its attempts; GET /api/notifications/deliveries.
      CREATE TABLE notification_deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at INTEGER NOT NULL,          -- epoch ms, hub clock, created
        channel TEXT NOT NULL,        -- webhook | device
        target TEXT NOT NULL,         -- the webhook URL or the device id
        event TEXT NOT NULL,          -- incident_opened | incident_escalated | incident_progress
        incident_id TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at INTEGER,      -- epoch ms of the next retry while pending
        delivered_at INTEGER,         -- epoch ms
        body TEXT                     -- the JSON sent, kept while pending (a restart resumes the retries)
      );
      CREATE INDEX notification_deliveries_pending ON notification_deliveries(status) WHERE status = 'pending';
    `,
  },
  {
    version: 9,
    name: 'sla daily reports',
    sql: `
      -- The kept daily SLA reports (issue 6, Reports; alerts/incidents/sla-daily.ts): one per local day
      -- (config historyUtcOffsetMinutes), written by the node-cron job (config slaReportCron) after the day
      -- ends; GET /api/reports/sla/daily?date=YYYY-MM-DD. A re-run of a day replaces its row.
      CREATE TABLE sla_daily_reports (
        day TEXT PRIMARY KEY,         -- YYYY-MM-DD, local
        from_ms INTEGER NOT NULL,     -- epoch ms, local midnight
        to_ms INTEGER NOT NULL,       -- epoch ms, the next local midnight
        generated_at INTEGER NOT NULL, -- epoch ms, hub clock
        report TEXT NOT NULL          -- JSON: SlaReport (alerts/incidents/sla-report.ts)
      );
    `,
  },
  {
    version: 10,
    name: 'incident policy',
    sql: `
      -- Incident deadlines and escalation ladders overridden per class, alarm type or household (issue 6;
      -- alerts/incidents/policy.ts): most specific wins; resolved when an incident opens and stored with it.
      CREATE TABLE incident_policy (
        scope TEXT NOT NULL CHECK (scope IN ('class', 'alarm_type', 'household')),
        key TEXT NOT NULL,            -- the class, the alarm type or the household id
        policy TEXT NOT NULL,         -- JSON: {deadlines?: ms per stage (partial), ladder?: the whole ladder}
        updated_at INTEGER NOT NULL,  -- epoch ms, hub clock
        PRIMARY KEY (scope, key)
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
];
