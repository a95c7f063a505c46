import type { RoomMigrations } from '../kernel/migrate.ts';

/**
 * The alerts room's tables: alarms, rule timers and state, away periods, baselines, settings overrides,
 * incidents, notification deliveries, SLA reports, incident policy, incidents' alarm paths. Versions are
 * global (kernel/migrate.ts); append only, never edit a released one.
 */
export const ALERTS_MIGRATIONS: RoomMigrations = {
  room: 'alerts',
  migrations: [
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
      version: 14,
      name: 'incident alarm path',
      sql: `
      -- Each incident's alarm path (issue 22, item 2; alerts/incidents/alarm-path.ts): epoch ms, hub clock,
      -- per point, each written once (the first time counts); NULL while not reached, or not measured
      -- (received: no device PUBLISH behind the alarm). Incidents opened before this version have no row.
      CREATE TABLE incident_path (
        incident_id TEXT PRIMARY KEY REFERENCES incidents(id),
        received_at INTEGER,          -- the broker got the PUBLISH
        rule_fired_at INTEGER,        -- a rule raised the alarm (inside the message's group commit)
        opened_at INTEGER NOT NULL,   -- the incident was inserted (same transaction)
        committed_at INTEGER,         -- that transaction durable (WAL synced)
        shown_at INTEGER,             -- the first dispatcher page that rendered it reported so
        acknowledged_at INTEGER,
        accepted_at INTEGER,          -- a responder accepted
        on_site_at INTEGER
      );
    `,
    },
  ],
};
