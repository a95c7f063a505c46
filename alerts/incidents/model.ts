/**
 * The incident model (issue 6): states, the state machine, outcomes, SLA stages and their default
 * deadlines. The bus contract (states, stages, summary) is events.ts; this adds what the store keeps.
 */
import { HubError } from '../../kernel/errors.ts';
import type { AlarmClass, Evidence } from '../alarm.ts';
import type { IncidentStage, IncidentState, IncidentSummary } from './events.ts';

export const OUTCOMES = [
  'assisted_at_home',
  'sent_to_hospital',
  'false_alarm',
  'device_fault',
  'resident_not_home',
  'other',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const INCIDENT_ACTIONS = [
  'acknowledge',
  'assign',
  'accept',
  'decline',
  'arrive',
  'resolve',
  'cancel',
  'comment',
] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

/** States an incident is closed in: no further transition, no escalation. */
export const CLOSED_STATES: readonly IncidentState[] = ['resolved', 'cancelled'];

/**
 * The state machine: from which states an action is allowed and the state it leads to (null: stays).
 * assign records the pending responder; accept (by that responder) dispatches; cancel only before on site.
 */
const MACHINE: Record<IncidentAction, { from: readonly IncidentState[]; to: IncidentState | null }> = {
  acknowledge: { from: ['open'], to: 'acknowledged' },
  assign: { from: ['acknowledged'], to: null },
  accept: { from: ['acknowledged'], to: 'dispatched' },
  decline: { from: ['acknowledged'], to: null },
  arrive: { from: ['dispatched'], to: 'on_site' },
  resolve: { from: ['on_site'], to: 'resolved' },
  cancel: { from: ['open', 'acknowledged', 'dispatched'], to: 'cancelled' },
  comment: { from: ['open', 'acknowledged', 'dispatched', 'on_site', 'resolved', 'cancelled'], to: null },
};

/** The state `action` leads to from `state`; HUB_ERR_INCIDENT_STATE (409) when the machine forbids it. */
export function nextState(state: IncidentState, action: IncidentAction): IncidentState {
  const rule = MACHINE[action];
  if (!rule.from.includes(state)) {
    throw new HubError('HUB_ERR_INCIDENT_STATE', `cannot ${action} an incident that is ${state}`, {
      state,
      action,
      allowedFrom: rule.from,
    });
  }
  return rule.to ?? state;
}

/** One SLA stage of an incident: its deadline, when it was reached, and whether in time. */
export interface StageRecord {
  /** epoch ms */
  dueAt: number;
  /** when the stage was reached, epoch ms; null while not (yet) */
  doneAt: number | null;
  /** doneAt − openedAt, ms */
  tookMs: number | null;
  /** true: reached by its deadline; false: missed (recorded when the deadline passed, or reached late); null: pending */
  met: boolean | null;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * Default deadlines per class, ms after the alarm (design.md "The promise"); overridden per class, alarm
 * type and household by alerts/incidents/policy.ts.
 */
export const DEFAULT_DEADLINES_MS: Record<AlarmClass, Partial<Record<IncidentStage, number>>> = {
  emergency: { acknowledge: 60 * SECOND, accept: 3 * MINUTE, on_site: 15 * MINUTE },
  non_emergency: { accept: HOUR, resolve: 15 * DAY },
  wellness: { accept: HOUR, resolve: 15 * DAY },
};

/**
 * Which state reaches which stage, per class. Emergency: acknowledged, a responder accepted (dispatched),
 * on site. Non-emergency and wellness: "accepted within 1 h" is the dispatch center taking the matter on
 * (acknowledged); "closed within 15 days" is resolved.
 */
export const STAGE_REACHED_BY: Record<AlarmClass, Partial<Record<IncidentState, IncidentStage>>> = {
  emergency: { acknowledged: 'acknowledge', dispatched: 'accept', on_site: 'on_site' },
  non_emergency: { acknowledged: 'accept', resolved: 'resolve' },
  wellness: { acknowledged: 'accept', resolved: 'resolve' },
};

/** The stages of a new incident, each due `deadlines[stage]` ms after it opened (the resolved policy's). */
export function initialStages(
  cls: AlarmClass,
  openedAt: number,
  deadlines: Partial<Record<IncidentStage, number>> = DEFAULT_DEADLINES_MS[cls],
): Partial<Record<IncidentStage, StageRecord>> {
  const out: Partial<Record<IncidentStage, StageRecord>> = {};
  for (const [stage, ms] of Object.entries(deadlines) as Array<[IncidentStage, number]>) {
    out[stage] = { dueAt: openedAt + ms, doneAt: null, tookMs: null, met: null };
  }
  return out;
}

/** The incident as the store keeps it. */
export interface Incident extends IncidentSummary {
  updatedAt: number;
  closedAt: number | null;
  /** assigned by a dispatcher, not yet accepted */
  pendingResponderId: string | null;
  assignedAt: number | null;
  outcome: Outcome | null;
  note: string | null;
  cancelReason: string | null;
  /** first and newest evidence of the joined alarms */
  evidence: Evidence[];
  stages: Partial<Record<IncidentStage, StageRecord>>;
}

/** What a new incident is told: the alarm's facts; the rest of a just-opened incident follows from them. */
export type IncidentOpening = Pick<
  Incident,
  'id' | 'householdId' | 'residentId' | 'alarmType' | 'class' | 'severity' | 'openedAt' | 'explanation'
> &
  Partial<Pick<Incident, 'alarmCount' | 'evidence' | 'residentCancelledAt'>> & {
    /** ms after opening per stage (the resolved policy's); the class's defaults without */
    policyDeadlines?: Partial<Record<IncidentStage, number>>;
  };

/** A just-opened incident: open, nobody assigned, nothing decided, its stages due by the policy. */
export function openedIncident(o: IncidentOpening): Incident {
  const { policyDeadlines, ...facts } = o;
  return {
    ...facts,
    state: 'open',
    updatedAt: o.openedAt,
    closedAt: null,
    pendingResponderId: null,
    assignedAt: null,
    responderId: null,
    outcome: null,
    note: null,
    cancelReason: null,
    alarmCount: o.alarmCount ?? 1,
    evidence: o.evidence ?? [],
    residentCancelledAt: o.residentCancelledAt ?? null,
    stages: initialStages(o.class, o.openedAt, policyDeadlines),
    deadlines: {},
  };
}

/** Who did something, from which client (the audit's who/where); the system has no user. */
export interface Actor {
  userId: number | null;
  username: string;
  ip: string | null;
  userAgent: string | null;
}

export const SYSTEM: Actor = { userId: null, username: 'system', ip: null, userAgent: null };

export function summary(i: Incident): IncidentSummary {
  const deadlines: IncidentSummary['deadlines'] = {};
  for (const [stage, rec] of Object.entries(i.stages) as Array<[IncidentStage, StageRecord]>) {
    deadlines[stage] = rec.dueAt;
  }
  return {
    id: i.id,
    householdId: i.householdId,
    residentId: i.residentId,
    alarmType: i.alarmType,
    class: i.class,
    severity: i.severity,
    state: i.state,
    openedAt: i.openedAt,
    deadlines,
    responderId: i.responderId,
    pendingResponderId: i.pendingResponderId,
    updatedAt: i.updatedAt,
    closedAt: i.closedAt,
    stages: i.stages,
    explanation: i.explanation,
    alarmCount: i.alarmCount,
    residentCancelledAt: i.residentCancelledAt,
  };
}

/**
 * When the resident pressed cancel, from the incident's evidence: the newest button `cancel` after the
 * newest `sos` (an SOS pressed again after it undoes the cancel); null when there is none.
 */
export function residentCancelledAt(evidence: readonly Evidence[]): number | null {
  let sos = -Infinity;
  let cancel: number | null = null;
  for (const e of evidence) {
    if (e.kind !== 'message') continue;
    if (e.event === 'sos') sos = Math.max(sos, e.at);
    if (e.event === 'cancel') cancel = Math.max(cancel ?? -Infinity, e.at);
  }
  return cancel !== null && cancel >= sos ? cancel : null;
}
