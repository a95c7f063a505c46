/**
 * Which bus events reach which role on the live channel, and in what shape. An event or a role not
 * listed here is never sent (an allowlist: a new bus event stays private until someone adds it here).
 * Families get their own households only, and never raw readings, audit details or who clicked;
 * responders get the incidents assigned to them.
 */
import type { IncidentSummary } from '../../alerts/incidents/events.ts';
import type { HubEvents } from '../../kernel/bus.ts';
import type { Role } from '../../kernel/registry/types.ts';

export interface Viewer {
  role: Role;
  /** households this viewer may see; undefined: all */
  households: readonly string[] | undefined;
  /** responder records linked to a responder user */
  responderIds: ReadonlySet<string>;
  /** incidents this responder was told about: a later change that unassigns them says `jobWithdrawn` */
  seenJobs: Set<string>;
}

export interface Forward {
  event: string;
  at: number;
  data: unknown;
}

type Projection<K extends keyof HubEvents> = (payload: HubEvents[K], viewer: Viewer) => Forward | null;
type RoleProjections<K extends keyof HubEvents> = Partial<Record<Role, Projection<K>>>;
export type Allowlist = { [K in keyof HubEvents]?: RoleProjections<K> };

const OPERATORS = ['admin', 'supervisor', 'dispatcher'] as const;
const FLEET_WATCHERS = ['admin', 'supervisor'] as const;

const sees = (viewer: Viewer, householdId: string) => viewer.households?.includes(householdId) ?? true;

/** The same projection for several roles. */
function forRoles<K extends keyof HubEvents>(
  roles: readonly Role[],
  projection: Projection<K>,
): RoleProjections<K> {
  return Object.fromEntries(roles.map((r) => [r, projection])) as RoleProjections<K>;
}

/** The event as it is, under its own name. */
const asIs =
  <K extends keyof HubEvents>(name: K, at: (p: HubEvents[K]) => number): Projection<K> =>
  (payload) => ({ event: name, at: at(payload), data: payload });

/** What a family sees of an incident: its progress, not who handled it from where or the evidence. */
export function familyIncident(i: IncidentSummary) {
  return {
    id: i.id,
    householdId: i.householdId,
    alarmType: i.alarmType,
    class: i.class,
    state: i.state,
    openedAt: i.openedAt,
    updatedAt: i.updatedAt,
    closedAt: i.closedAt,
    stages: i.stages,
    explanation: i.explanation,
    residentCancelledAt: i.residentCancelledAt,
  };
}

/** A family is told that its household changed and refetches its status (no raw data on the socket). */
const householdChanged =
  (reason: string) =>
  (householdId: string, at: number, viewer: Viewer): Forward | null =>
    sees(viewer, householdId) ? { event: 'householdChanged', at, data: { householdId, reason } } : null;

const isMine = (i: IncidentSummary, viewer: Viewer) =>
  [i.responderId, i.pendingResponderId].some((id) => id !== null && viewer.responderIds.has(id));

/** A responder's job: theirs while assigned; once unassigned, told `jobWithdrawn` once. */
const responderJob =
  (name: 'incidentOpened' | 'incidentUpdated' | 'incidentEscalated') =>
  (incident: IncidentSummary, at: number, data: unknown, viewer: Viewer): Forward | null => {
    if (isMine(incident, viewer)) {
      viewer.seenJobs.add(incident.id);
      return { event: name, at, data };
    }
    if (viewer.seenJobs.delete(incident.id)) {
      return { event: 'jobWithdrawn', at, data: { incidentId: incident.id } };
    }
    return null;
  };

export const ALLOWLIST: Allowlist = {
  incidentOpened: {
    ...forRoles(
      OPERATORS,
      asIs('incidentOpened', (p) => p.incident.openedAt),
    ),
    responder: (p, v) => responderJob('incidentOpened')(p.incident, p.incident.openedAt, p, v),
    family: (p, v) =>
      sees(v, p.incident.householdId)
        ? { event: 'incidentOpened', at: p.incident.openedAt, data: { incident: familyIncident(p.incident) } }
        : null,
  },
  incidentUpdated: {
    ...forRoles(
      OPERATORS,
      asIs('incidentUpdated', (p) => p.at),
    ),
    responder: (p, v) =>
      responderJob('incidentUpdated')(p.incident, p.at, { incident: p.incident, change: p.change }, v),
    family: (p, v) =>
      sees(v, p.incident.householdId)
        ? { event: 'incidentUpdated', at: p.at, data: { incident: familyIncident(p.incident) } }
        : null,
  },
  incidentEscalated: {
    ...forRoles(
      OPERATORS,
      asIs('incidentEscalated', (p) => p.at),
    ),
    responder: (p, v) =>
      responderJob('incidentEscalated')(p.incident, p.at, { incident: p.incident, step: p.step }, v),
  },
  alarmRaised: {
    ...forRoles(
      OPERATORS,
      asIs('alarmRaised', (p) => p.alarm.openedAt),
    ),
    family: (p, v) => householdChanged('alarm')(p.alarm.householdId, p.alarm.openedAt, v),
  },
  alarmUpdated: forRoles(
    OPERATORS,
    asIs('alarmUpdated', (p) => p.alarm.updatedAt),
  ),
  alarmCleared: {
    ...forRoles(
      OPERATORS,
      asIs('alarmCleared', (p) => p.alarm.closedAt ?? p.alarm.updatedAt),
    ),
    family: (p, v) =>
      householdChanged('alarm')(p.alarm.householdId, p.alarm.closedAt ?? p.alarm.updatedAt, v),
  },
  presenceChanged: forRoles(
    OPERATORS,
    asIs('presenceChanged', (p) => p.at),
  ),
  deviceSilent: {
    ...forRoles(
      OPERATORS,
      asIs('deviceSilent', (p) => p.firedAt),
    ),
    family: (p, v) => householdChanged('device')(p.householdId, p.firedAt, v),
  },
  deviceHeard: {
    ...forRoles(
      OPERATORS,
      asIs('deviceHeard', (p) => p.at),
    ),
    family: (p, v) => householdChanged('device')(p.householdId, p.at, v),
  },
  awayStarted: {
    ...forRoles(
      OPERATORS,
      asIs('awayStarted', (p) => p.at),
    ),
    family: (p, v) => householdChanged('away')(p.householdId, p.at, v),
  },
  awayEnded: {
    ...forRoles(
      OPERATORS,
      asIs('awayEnded', (p) => p.at),
    ),
    family: (p, v) => householdChanged('away')(p.householdId, p.at, v),
  },
  inputQuarantined: forRoles(
    FLEET_WATCHERS,
    asIs('inputQuarantined', (p) => p.at),
  ),
  deviceFaulty: forRoles(
    FLEET_WATCHERS,
    asIs('deviceFaulty', (p) => p.at),
  ),
  meterFault: forRoles(
    FLEET_WATCHERS,
    asIs('meterFault', (p) => p.at),
  ),
  outboxHighWater: forRoles(
    FLEET_WATCHERS,
    asIs('outboxHighWater', (p) => p.at),
  ),
};

/** messageAccepted is not in the allowlist (raw readings); a family watching the household hears this. */
export const familyActivity = householdChanged('activity');

/** The event names a role may receive, for the hello frame. */
export function eventsFor(role: Role): string[] {
  const names = new Set<string>(['notification']);
  for (const [name, roles] of Object.entries(ALLOWLIST)) {
    if (roles && role in roles) names.add(name);
  }
  if (role === 'family') names.add('householdChanged');
  if (role === 'responder') names.add('jobWithdrawn');
  return [...names].sort();
}
