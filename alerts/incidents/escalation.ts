/**
 * The escalation ladder (issue 6) on the persisted rule timers (alerts/timers.ts, "deadlines are data"):
 * each step is a timer row armed when the incident opens; it fires once, at its time, and after a restart
 * at once, marked late, when it fell due while the hub was down. A step the incident has moved past is
 * cancelled. The ladder is resolved when the incident opens (alerts/incidents/policy.ts) and each step is
 * kept in its timer's payload, so a later policy change does not move a running incident's steps.
 */
import type { AlarmClass } from '../alarm.ts';
import type { RuleTimers } from '../timers.ts';
import { INCIDENT_STATES, type IncidentStage, type IncidentState } from './events.ts';
import { CLOSED_STATES, type Incident, STAGE_REACHED_BY } from './model.ts';
import type { PolicyLadderStep } from './policy-schema.ts';

/**
 * One step: its name, when (ms after the incident opened, or 'deadline': at the deadline of its `until`
 * stage, which it records missed), the stage that must not yet be reached, and who is told.
 */
export type LadderStep = PolicyLadderStep;

const S = 1000;
const MIN = 60 * S;

/** The default ladders per class (issue 6 "Escalation"); overridden whole by alerts/incidents/policy.ts. */
export const LADDERS: Record<AlarmClass, readonly LadderStep[]> = {
  emergency: [
    { step: 'unacknowledged_30s', afterMs: 30 * S, until: 'acknowledge', audience: ['dispatchers'] },
    { step: 'unacknowledged_60s', afterMs: 'deadline', until: 'acknowledge', audience: ['supervisor'] },
    { step: 'unacknowledged_2m', afterMs: 2 * MIN, until: 'acknowledge', audience: ['contacts'] },
    { step: 'not_accepted_3m', afterMs: 'deadline', until: 'accept', audience: ['supervisor'] },
    { step: 'not_on_site_10m', afterMs: 10 * MIN, until: 'on_site', audience: ['supervisor', 'responder'] },
    { step: 'breach_15m', afterMs: 'deadline', until: 'on_site', audience: ['supervisor', 'family'] },
  ],
  // Slower rule: flagged to the supervisor when overdue (accepted ≤ 1 h, closed ≤ 15 days).
  non_emergency: [
    { step: 'not_accepted_1h', afterMs: 'deadline', until: 'accept', audience: ['supervisor'] },
    { step: 'not_resolved_15d', afterMs: 'deadline', until: 'resolve', audience: ['supervisor'] },
  ],
  wellness: [
    { step: 'not_accepted_1h', afterMs: 'deadline', until: 'accept', audience: ['supervisor'] },
    { step: 'not_resolved_15d', afterMs: 'deadline', until: 'resolve', audience: ['supervisor'] },
  ],
};

/**
 * Whether a step waiting for `until` is still relevant in `state`: not closed, and `until` not yet
 * reached (the states before the one that reaches it for the class, in lifecycle order). A stage the class
 * never reaches (an emergency's resolve) keeps the step relevant until the incident closes.
 */
export function stepRelevant(cls: AlarmClass, until: IncidentStage, state: IncidentState): boolean {
  if (CLOSED_STATES.includes(state)) return false;
  const reachedIn = (Object.entries(STAGE_REACHED_BY[cls]) as Array<[IncidentState, IncidentStage]>).find(
    ([, stage]) => stage === until,
  )?.[0];
  if (!reachedIn) return true;
  return INCIDENT_STATES.indexOf(state) < INCIDENT_STATES.indexOf(reachedIn);
}

/** The step's due time for the incident; null for a 'deadline' step whose stage has no deadline here. */
export function dueAtOf(step: LadderStep, incident: Incident): number | null {
  if (step.afterMs !== 'deadline') return incident.openedAt + step.afterMs;
  return incident.stages[step.until]?.dueAt ?? null;
}

/** The rule-timer kind of every escalation step. */
export const ESCALATION_KIND = 'incident-escalation';

export interface EscalationPayload {
  incidentId: string;
  step: string;
  /** the step itself (absent in timers armed before the ladder was configurable: the default's step) */
  def?: LadderStep;
}

const PREFIX = (incidentId: string) => `incident:${incidentId}:`;
const keyOf = (incidentId: string, step: string) => `${PREFIX(incidentId)}${step}`;

/** The step a fired timer stands for: its own copy, else the default ladder's step of that name. */
export function stepOf(cls: AlarmClass, payload: EscalationPayload): LadderStep | null {
  return payload.def ?? LADDERS[cls].find((s) => s.step === payload.step) ?? null;
}

/** Arms every step of the incident's ladder (a persisted timer each, carrying the step). */
export async function armLadder(
  timers: RuleTimers,
  incident: Incident,
  ladder: readonly LadderStep[],
): Promise<void> {
  for (const s of ladder) {
    const dueAt = dueAtOf(s, incident);
    if (dueAt === null) continue; // a 'deadline' step of a stage this class has no deadline for
    const payload: EscalationPayload = { incidentId: incident.id, step: s.step, def: s };
    await timers.arm(keyOf(incident.id, s.step), ESCALATION_KIND, incident.householdId, dueAt, payload);
  }
}

/** The escalation steps still pending for an incident, soonest first (their timers' keys and steps). */
export async function pendingSteps(
  timers: RuleTimers,
  incidentId: string,
): Promise<Array<{ key: string; payload: EscalationPayload }>> {
  return timers.list<EscalationPayload>(ESCALATION_KIND, PREFIX(incidentId));
}

/** Cancels the steps the incident has moved past (all of them once it is closed). */
export async function cancelPassedSteps(timers: RuleTimers, incident: Incident): Promise<void> {
  for (const { key, payload } of await pendingSteps(timers, incident.id)) {
    const step = stepOf(incident.class, payload);
    if (!step || !stepRelevant(incident.class, step.until, incident.state)) await timers.cancel(key);
  }
}
