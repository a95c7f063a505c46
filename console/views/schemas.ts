import { Type as T } from '@sinclair/typebox';
import * as X from '../api-examples.ts';
import { Contact, DeviceTypeSchema, Household, Nullable, RoomSchema, withExample } from '../schemas.ts';

/** Response shapes of the consoles' joined views (views/household-view.ts, views/device-states.ts). */

const Epoch = T.Integer({ minimum: 0, description: 'epoch ms, hub clock' });

export const DeviceStateSchema = T.Object({
  id: T.String(),
  type: DeviceTypeSchema,
  room: Nullable(RoomSchema),
  friendlyName: Nullable(T.String()),
  gatewayId: Nullable(T.String()),
  enabled: T.Boolean(),
  connection: T.String({ description: 'online, offline or unknown (never connected)' }),
  lastSeenAt: Nullable(Epoch),
  silentSince: Nullable(Epoch),
  battery: Nullable(T.Number({ description: 'per cent, the latest report' })),
  issues: T.Array(T.String(), {
    description: 'battery_low, silent, offline, wristband_removed, tamper, faulty, disabled',
  }),
});

export const ResidentViewSchema = T.Object({
  id: T.String(),
  name: T.String(),
  age: Nullable(T.Integer()),
  careNotes: T.Array(T.String()),
  language: T.String(),
});

export const OpenAlarmSchema = T.Object({
  id: T.String(),
  type: T.String(),
  class: T.String(),
  severity: T.String(),
  openedAt: Epoch,
  count: T.Integer(),
  explanation: T.Object({ zh: T.String(), en: T.String() }),
});

export const StageProgressSchema = T.Object({
  dueAt: Epoch,
  doneAt: Nullable(Epoch),
  tookMs: Nullable(T.Integer()),
  met: Nullable(T.Boolean()),
});

export const IncidentSummarySchema = T.Object({
  id: T.String(),
  householdId: T.String(),
  residentId: Nullable(T.String()),
  alarmType: T.String(),
  class: T.String(),
  severity: T.String(),
  state: T.String(),
  openedAt: Epoch,
  updatedAt: Epoch,
  closedAt: Nullable(Epoch),
  deadlines: T.Record(T.String(), Epoch),
  stages: T.Record(T.String(), StageProgressSchema),
  responderId: Nullable(T.String()),
  pendingResponderId: Nullable(T.String()),
  explanation: T.Object({ zh: T.String(), en: T.String() }),
  alarmCount: T.Integer(),
  residentCancelledAt: Nullable(
    T.Integer({
      minimum: 0,
      description: 'epoch ms the resident pressed cancel after the SOS; open until a person confirms',
    }),
  ),
});

export const AwayStatusSchema = T.Object({
  away: T.Boolean({ description: 'the inactivity and water-use rules are suppressed now' }),
  declared: Nullable(
    T.Object(
      { until: Epoch, reason: T.String(), setBy: T.String(), setAt: Epoch },
      { additionalProperties: true },
    ),
  ),
  wristband: Nullable(T.Object({ since: Epoch, at: Epoch }, { additionalProperties: true })),
});

export const HouseholdStatusSchema = withExample(
  T.Object({
    household: Household,
    residents: T.Array(ResidentViewSchema),
    contacts: T.Array(Contact),
    state: T.String({ description: 'well, attention (device problem or non-emergency incident) or alarm' }),
    reasons: T.Array(T.String({ description: 'incident_emergency, incident_open, device_<issue>' })),
    lastMovementAt: Nullable(Epoch),
    devices: T.Array(DeviceStateSchema),
    activeIncident: Nullable(IncidentSummarySchema),
    away: Nullable(AwayStatusSchema),
    serverTime: Epoch,
  }),
  X.HOUSEHOLD_STATUS,
);

export const IncidentContextSchema = withExample(
  T.Object({
    incidentId: T.String(),
    household: Household,
    residents: T.Array(ResidentViewSchema),
    contacts: T.Array(Contact),
    devices: T.Array(DeviceStateSchema),
    openAlarms: T.Array(OpenAlarmSchema),
    lastMovementAt: Nullable(Epoch),
  }),
  X.INCIDENT_CONTEXT,
);
