import { Type as T, type TSchema } from '@sinclair/typebox';
import * as X from './api-examples.ts';
import {
  Device,
  DeviceTypeSchema,
  Gateway,
  Nullable,
  RoleSchema,
  Secret,
  StringEnum,
  withExample,
} from './schemas.ts';
import { StageProgressSchema } from './views/schemas.ts';

/**
 * The response schemas the browser code shares (console/web/api-types.d.ts takes their types), defined
 * once: the routes import them from here, so what Fastify serializes with and the OpenAPI document shows
 * is what the pages are typed with. This file is part of the browser program (tsc -p console/web): it
 * imports only schema files and the plain kernel files they import, never a server module.
 *
 * tests/response-schemas.test.ts checks that every schema here is one a route's response uses.
 */

const Epoch = T.Integer({ minimum: 0, description: 'epoch ms' });

/**
 * alerts/incidents/events.ts INCIDENT_STATES (spelled out: this file stays free of the alerts module;
 * tests/response-schemas.test.ts checks the two are the same).
 */
export const INCIDENT_STATES = [
  'open',
  'acknowledged',
  'dispatched',
  'on_site',
  'resolved',
  'cancelled',
] as const;

/**
 * alerts/incidents/alarm-path.ts PATH_POINTS, in the order of the path (spelled out like INCIDENT_STATES;
 * tests/response-schemas.test.ts checks the two are the same).
 */
export const PATH_POINTS = [
  'received',
  'rule_fired',
  'opened',
  'committed',
  'shown',
  'acknowledged',
  'accepted',
  'on_site',
] as const;

/** GET /api/incidents (one item), POST /api/incidents/:id/{action}: console/routes/incidents.ts. */
export const IncidentSchema = withExample(
  T.Object({
    id: T.String(),
    householdId: T.String(),
    residentId: Nullable(T.String()),
    alarmType: T.String(),
    class: T.String(),
    severity: T.String(),
    state: StringEnum(INCIDENT_STATES),
    openedAt: Epoch,
    updatedAt: Epoch,
    closedAt: Nullable(Epoch),
    deadlines: T.Record(T.String(), Epoch, { description: 'deadline per SLA stage, epoch ms' }),
    stages: T.Record(T.String(), StageProgressSchema, {
      description: 'per SLA stage: deadline, reached, time taken, met',
    }),
    pendingResponderId: Nullable(T.String({ description: 'assigned, not yet accepted' })),
    assignedAt: Nullable(Epoch),
    responderId: Nullable(T.String({ description: 'the responder who accepted' })),
    outcome: Nullable(T.String()),
    note: Nullable(T.String()),
    cancelReason: Nullable(T.String()),
    alarmCount: T.Integer(),
    residentCancelledAt: Nullable(
      T.Integer({
        minimum: 0,
        description: 'epoch ms the resident pressed cancel after the SOS; open until a person confirms',
      }),
    ),
    explanation: T.Object({ zh: T.String(), en: T.String() }),
    evidence: T.Array(T.Unknown()),
    lastEscalation: T.Optional(
      Nullable(
        T.Object(
          { step: T.String(), at: Epoch },
          { description: 'the last escalation step fired (lists only)' },
        ),
      ),
    ),
  }),
  X.INCIDENT,
);

/** One entry of an incident's timeline (GET /api/incidents/:id). */
export const TimelineSchema = T.Object({
  kind: StringEnum(['audit', 'evidence', 'path'] as const, {
    description: 'path: a point of the alarm path reached (alerts/incidents/alarm-path.ts)',
  }),
  at: Epoch,
  id: T.Optional(T.Integer()),
  action: T.Optional(T.String()),
  fromState: T.Optional(Nullable(T.String())),
  toState: T.Optional(Nullable(T.String())),
  userId: T.Optional(Nullable(T.Integer())),
  username: T.Optional(Nullable(T.String())),
  actorName: T.Optional(
    Nullable(
      T.String({
        description: "who acted: the user's display name, else their responder's name, else user name",
      }),
    ),
  ),
  actorRole: T.Optional(Nullable(T.String({ description: "the acting user's role; null for the system" }))),
  responderName: T.Optional(
    Nullable(
      T.String({ description: "the name of the responder in the entry's detail (assigned, reassigned …)" }),
    ),
  ),
  ip: T.Optional(Nullable(T.String())),
  userAgent: T.Optional(Nullable(T.String())),
  detail: T.Optional(T.Unknown()),
  evidence: T.Optional(T.Unknown()),
  point: T.Optional(
    StringEnum(PATH_POINTS, {
      description: 'the point reached: received … on_site, in the order of the path',
    }),
  ),
  sincePreviousMs: T.Optional(
    Nullable(T.Integer({ description: 'ms since the point reached before it; null for the first' })),
  ),
});

/** GET /api/incidents/:id: console/routes/incidents.ts. */
export const IncidentDetailSchema = withExample(
  T.Composite([
    IncidentSchema,
    T.Object({ alarmIds: T.Array(T.String()), timeline: T.Array(TimelineSchema) }),
  ]),
  X.INCIDENT_DETAIL,
);

/** GET /api/incidents/:id/suggestions (one item): console/routes/incidents.ts. */
export const SuggestionSchema = withExample(
  T.Object({
    responderId: T.String(),
    name: T.String(),
    kind: StringEnum(['grid_worker', 'station_staff', 'volunteer'] as const),
    phone: T.String(),
    stationId: Nullable(T.String()),
    distanceM: Nullable(T.Integer({ description: 'metres from their station to the household' })),
    etaMinutes: Nullable(T.Integer({ description: 'door to door at 15 km/h (volunteers on foot: 5 km/h)' })),
  }),
  X.SUGGESTION,
);

/** POST /api/incidents/:id/position: console/routes/incidents.ts. */
export const EtaSchema = withExample(
  T.Object({
    incidentId: T.String(),
    responderId: T.String(),
    distanceM: T.Integer(),
    etaMinutes: T.Integer(),
    etaAt: Epoch,
    onSiteDueAt: Nullable(Epoch),
    escalated: T.Boolean({ description: 'this update escalated: first ETA past the on-site deadline' }),
  }),
  X.ETA,
);

// console/routes/reports.ts
/** No lower bound, as the route always had it: a report's range may lie before 1970 (`from=0001-01-01`). */
const ReportEpoch = T.Integer({ description: 'epoch ms' });
const Ms = Nullable(T.Number({ description: 'ms' }));
const Share = T.Object({
  met: T.Integer({ description: 'within the deadline' }),
  counted: T.Integer({ description: 'reached or known missed (cancelled before the deadline: not counted)' }),
  share: Nullable(T.Number({ description: 'met / counted, 0..1' })),
});
const Timing = T.Object({ count: T.Integer(), medianMs: Ms, p90Ms: Ms });
const figureProps = {
  incidents: T.Integer(),
  emergencies: T.Integer(),
  acknowledgedWithin60s: Share,
  onSiteWithin15min: Share,
  stages: T.Object(
    { acknowledge: Timing, accept: Timing, on_site: Timing, resolve: Timing },
    { description: 'emergencies: time from the alarm to each stage (resolve: to resolution)' },
  ),
  breaches: T.Integer(),
};
const Breach = T.Object({
  incidentId: T.String(),
  householdId: T.String(),
  grid: Nullable(T.String()),
  responderId: Nullable(T.String()),
  class: T.String(),
  openedAt: ReportEpoch,
  stage: T.String({ description: 'which deadline' }),
  dueAt: ReportEpoch,
  doneAt: Nullable(ReportEpoch),
  lateByMs: T.Integer({ description: 'by how much the deadline was missed' }),
  reason: T.String(),
});
const PathPoint = StringEnum(PATH_POINTS);
const HopFigures = T.Object({
  hop: T.String({ description: 'the /metrics label of hub_alarm_path_seconds: `{from}_to_{to}`' }),
  from: PathPoint,
  to: PathPoint,
  count: T.Integer({ description: 'emergencies that measured the hop (both ends recorded, in order)' }),
  p50Ms: Ms,
  p99Ms: Ms,
});
/** The alarm path's figures of a report (alerts/incidents/alarm-path.ts pathFigures). */
const AlarmPathFigures = T.Object(
  {
    hops: T.Array(HopFigures, { description: 'each hop, in the order of the path' }),
    whole: HopFigures,
  },
  { description: "the emergencies' alarm path, hop by hop (absent from daily reports kept before it)" },
);
/** GET /api/reports/sla (JSON), GET /api/reports/sla/daily: console/routes/reports.ts. */
export const SlaReportSchema = withExample(
  T.Object({
    from: ReportEpoch,
    to: ReportEpoch,
    utcOffsetMinutes: T.Integer(),
    asOf: ReportEpoch,
    total: T.Object(figureProps),
    byDay: T.Array(T.Object({ day: T.String(), ...figureProps })),
    byGrid: T.Array(T.Object({ grid: Nullable(T.String()), ...figureProps })),
    byResponder: T.Array(T.Object({ responderId: Nullable(T.String()), ...figureProps })),
    breaches: T.Array(Breach),
    alarmPath: T.Optional(AlarmPathFigures),
  }),
  X.SLA_REPORT,
);

// console/routes/fleet.ts
const OfflineEntry = T.Object({
  clientId: T.String({ description: 'device or gateway id' }),
  kind: T.String({ description: 'device or gateway' }),
  householdId: Nullable(T.String()),
  type: Nullable(T.String({ description: 'device type; null for a gateway' })),
  state: T.String({ description: 'offline: the broker saw it go; silent: connected but past its heartbeat' }),
  lastSeenAt: Nullable(Epoch),
  silentSince: Nullable(Epoch),
});
const BatteryEntry = T.Object({
  alarmId: T.String(),
  householdId: T.String(),
  deviceId: Nullable(T.String()),
  battery: Nullable(T.Number({ description: 'per cent, as reported with the alarm' })),
  since: Epoch,
});
export const UnprotectedEntry = T.Object({
  householdId: T.String(),
  residentId: Nullable(T.String()),
  deviceId: Nullable(T.String()),
  reason: T.String({ description: 'lifeline_silent (call button or wristband) or wristband_removed' }),
  since: Nullable(Epoch),
});
const QuarantineSummary = T.Object({
  last24h: T.Integer({ description: 'quarantined messages in the last 24 h' }),
  byCode: T.Record(T.String(), T.Integer(), { description: 'last 24 h per reason code' }),
  recent: T.Array(
    T.Object({ id: T.Integer(), at: Epoch, clientId: T.String(), code: T.String(), detail: T.String() }),
  ),
});
const DeadLetterSummary = T.Object({
  total: T.Integer({ description: 'telemetry lines InfluxDB refused, kept' }),
  recent: T.Array(
    T.Object({
      id: T.Integer(),
      at: Epoch,
      deviceId: T.String(),
      householdId: T.String(),
      status: Nullable(T.Integer()),
      error: T.String(),
    }),
  ),
});
/** GET /api/fleet (console/routes/fleet.ts). */
export const FleetSchema = withExample(
  T.Object({
    asOf: Epoch,
    counts: T.Object({
      devices: T.Integer({ description: 'registered devices' }),
      gateways: T.Integer({ description: 'registered gateways' }),
      offline: T.Integer({ description: 'devices and gateways offline or silent' }),
      neverConnected: T.Integer({ description: 'registered devices the broker has never seen' }),
      batteryLow: T.Integer(),
      unprotected: T.Integer({ description: 'residents/households whose lifeline device is silent or off' }),
      quarantine24h: T.Integer(),
      deadLetter: T.Integer(),
    }),
    offline: T.Array(OfflineEntry),
    batteryLow: T.Array(BatteryEntry),
    unprotected: T.Array(UnprotectedEntry),
    quarantine: QuarantineSummary,
    deadLetter: DeadLetterSummary,
  }),
  X.FLEET,
);

// console/routes/history.ts
const Stat = Nullable(T.Object({ mean: T.Number(), min: T.Number(), max: T.Number() }));
/** Every history answer: which store served it, the range asked (widened to whole hours by the store), the rows. */
const historyAnswer = <S extends TSchema>(row: S) =>
  T.Object({
    source: StringEnum(['influx', 'local'] as const, {
      description: 'influx: InfluxDB answered; local: the hub’s own hourly aggregates (last 30 days)',
    }),
    from: T.Integer({ description: 'epoch ms' }),
    to: T.Integer({ description: 'epoch ms' }),
    rows: T.Array(row),
  });
/** GET /api/households/:id/history/activity: console/routes/history.ts. */
export const ActivityAnswer = withExample(
  historyAnswer(
    T.Object({
      hour: T.Integer({ description: 'epoch ms of the hour’s start' }),
      room: Nullable(T.String()),
      motions: T.Integer({ description: 'motion events in that room and hour' }),
    }),
  ),
  X.ACTIVITY,
);
/** GET /api/households/:id/history/water: console/routes/history.ts. */
export const WaterAnswer = withExample(
  historyAnswer(
    T.Object({
      start: T.Integer({
        description: 'epoch ms of the hour, or of the local day (historyUtcOffsetMinutes)',
      }),
      liters: T.Number(),
    }),
  ),
  X.WATER,
);
/** GET /api/households/:id/history/vitals: console/routes/history.ts. */
export const VitalsAnswer = withExample(
  historyAnswer(
    T.Object({
      deviceId: T.String(),
      hour: T.Integer({ description: 'epoch ms of the hour’s start' }),
      heartRate: Stat,
      spo2: Stat,
    }),
  ),
  X.VITALS,
);
/** GET /api/households/:id/history/battery: console/routes/history.ts. */
export const BatteryAnswer = withExample(
  historyAnswer(
    T.Object({
      deviceId: T.String(),
      battery: T.Number({ description: 'per cent, the last level reported in the range' }),
      at: T.Integer({ description: 'epoch ms it was received' }),
    }),
  ),
  X.BATTERY,
);
/** GET /api/households/:id/history/last-seen: console/routes/history.ts. */
export const LastSeenAnswer = withExample(
  historyAnswer(T.Object({ deviceId: T.String(), at: T.Integer({ description: 'epoch ms' }) })),
  X.LAST_SEEN,
);

// console/routes/rhythm.ts
/** The usual day is the mean of this many local days before the one asked (days with no data left out). */
export const USUAL_DAYS = 7;
const Hours = (description: string) => T.Array(T.Number(), { minItems: 24, maxItems: 24, description });
const Series = T.Object({
  motions: Hours('motion events per local hour 0–23 (all rooms)'),
  liters: Hours('water litres per local hour 0–23'),
});
/** GET /api/households/:id/rhythm: console/routes/rhythm.ts. */
export const RhythmAnswer = withExample(
  T.Object({
    householdId: T.String(),
    date: T.String({ description: 'YYYY-MM-DD, local' }),
    dayStart: T.Integer({ description: 'epoch ms of the local midnight starting the day' }),
    source: StringEnum(['influx', 'local'] as const, { description: 'which store served the hourly counts' }),
    today: T.Composite([
      Series,
      T.Object({
        hoursElapsed: T.Integer({ description: 'hours of the day already begun (24 for a past day)' }),
      }),
    ]),
    usual: T.Composite([
      Series,
      T.Object({
        days: T.Integer({
          description: `days with data the mean was taken over (of the ${USUAL_DAYS} before)`,
        }),
      }),
    ]),
    baseline: Nullable(
      T.Object(
        {
          days: T.Integer(),
          firstMotionMin: Nullable(
            T.Number({ description: 'usual first movement, local minutes after midnight' }),
          ),
          firstWaterMin: Nullable(
            T.Number({ description: 'usual first water use, local minutes after midnight' }),
          ),
          dailyLiters: Nullable(T.Number({ description: 'usual daily water volume, litres' })),
        },
        { description: "the resident's baseline (alerts), when one was computed" },
      ),
    ),
  }),
  X.RHYTHM,
);

/** GET /api/zigbee-devices (one item; console/routes/zigbee-pairing.ts). */
export const PendingZigbeeDevice = withExample(
  T.Object({
    gatewayId: T.String(),
    householdId: T.String(),
    friendlyName: T.String({ description: 'its Zigbee2MQTT friendly name (the topic under the gateway)' }),
    ieeeAddress: T.String({ description: 'IEEE address, 0x + 16 hex digits' }),
    model: Nullable(T.String()),
    vendor: Nullable(T.String()),
    description: Nullable(T.String()),
    suggestedType: Nullable(DeviceTypeSchema),
    interview: Nullable(T.String({ description: 'started, successful or failed (Zigbee2MQTT interview)' })),
    firstSeenAt: T.Integer({ minimum: 0, description: 'epoch ms, hub clock: first heard of' }),
    updatedAt: T.Integer({ minimum: 0, description: 'epoch ms, hub clock: last heard of' }),
    quarantined: T.Integer({ description: 'its messages waiting in the quarantine as unknown_device' }),
  }),
  X.PENDING_ZIGBEE,
);
/** POST /api/gateways/:id/zigbee-devices/provision (201): console/routes/zigbee-pairing.ts. */
export const ZigbeeProvisioned = withExample(
  T.Object({
    device: Device,
    resolvedQuarantine: T.Integer({ description: 'unknown-device entries marked resolved' }),
  }),
  X.ZIGBEE_PROVISIONED,
);

/** POST /api/devices (201): console/routes/devices.ts. */
export const DeviceCreated = withExample(T.Object({ device: Device, secret: Nullable(Secret) }), {
  device: X.DEVICE,
  secret: X.SECRET,
});
/** POST /api/gateways (201): console/routes/gateways.ts. */
export const GatewayCreated = withExample(T.Object({ gateway: Gateway, secret: Secret }), {
  gateway: X.GATEWAY,
  secret: X.SECRET,
});

const ImportProblem = T.Object({ line: T.Integer(), path: T.String(), reason: T.String() });
const ImportCounts = T.Record(
  T.String(),
  T.Object({ created: T.Integer(), updated: T.Integer(), unchanged: T.Integer() }),
);
const NewSecret = T.Object({ id: T.String(), secret: T.String() });

/** An import job (POST /api/import/jobs, GET /api/import/jobs/:id): kernel/provisioning/import-jobs.ts. */
export const ImportJob = withExample(
  T.Object({
    id: T.String({ format: 'uuid' }),
    state: StringEnum(
      ['checking', 'writing', 'committed', 'refused', 'invalid', 'rolling_back', 'rolled_back', 'failed'],
      { description: 'checking → writing → committed; refused (bad rows), rolled_back (abandoned), failed' },
    ),
    phase: Nullable(StringEnum(['parsing', 'validating', 'hashing'], { description: 'while checking' })),
    households: T.Object({
      total: Nullable(T.Integer({ description: 'households in the file, once it is checked' })),
      written: T.Integer({ description: 'households written so far (the progress bar)' }),
    }),
    counts: ImportCounts,
    problems: T.Array(ImportProblem),
    invalidField: Nullable(T.Object({ path: T.String(), reason: T.String() })),
    reason: Nullable(T.String({ description: 'why the job was abandoned or failed' })),
    startedBy: T.Integer({ description: 'user id of the admin who started it' }),
    startedAt: T.String({ format: 'date-time' }),
    finishedAt: Nullable(T.String({ format: 'date-time' })),
    holder: StringEnum(['request', 'lease'], {
      description: 'request: POST /api/import waits for it; lease: polled through GET (15 s)',
    }),
    secrets: StringEnum(['none', 'available', 'taken', 'expired'], {
      description: 'the new secrets of a committed job: its starter takes them once',
    }),
  }),
  X.IMPORT_JOB,
);
/** POST /api/import: console/routes/import.ts. */
export const ImportReport = withExample(
  T.Object({
    ok: T.Boolean(),
    problems: T.Array(ImportProblem),
    counts: ImportCounts,
    secrets: T.Array(NewSecret, {
      description: 'new device/gateway secrets and generated passwords: shown once',
    }),
  }),
  X.IMPORT_REPORT,
);
export const ImportJobList = withExample(T.Object({ jobs: T.Array(ImportJob) }), { jobs: [X.IMPORT_JOB] });
export const ImportSecrets = withExample(
  T.Object({
    secrets: T.Array(NewSecret, {
      description: 'new device/gateway secrets and generated passwords: shown once',
    }),
  }),
  { secrets: X.IMPORT_REPORT.secrets },
);

// console/routes/auth.ts
/** The logged-in user, as login and who-am-I answer it. */
export const SessionUser = T.Object({
  id: T.Integer(),
  username: T.String(),
  role: RoleSchema,
  displayName: T.String(),
  households: T.Array(T.String()),
});
/** POST /api/auth/login: console/routes/auth.ts. */
export const LoginReply = withExample(
  T.Object({
    token: T.String({ description: 'bearer token; also set as the HttpOnly cookie hub_session' }),
    expiresAt: T.String({ format: 'date-time' }),
    user: SessionUser,
  }),
  X.LOGIN_REPLY,
);
/** GET /api/auth/me: console/routes/auth.ts. */
export const MeReply = withExample(
  T.Object({ user: SessionUser, expiresAt: T.String({ format: 'date-time' }) }),
  X.ME_REPLY,
);
