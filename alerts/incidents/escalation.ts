/**
 * The escalation ladder (issue 6) on the persisted rule timers (alerts/timers.ts, "deadlines are data"):
 * each step is a timer row armed when the incident opens; it fires once, at its time, and after a restart
 * at once, marked late, when it fell due while the hub was down. A step the incident has moved past is
 * cancelled. Defaults; a configurable ladder is later work.
 */
import type { AlarmClass } from '../alarm.ts';
import type { RuleTimers } from '../timers.ts';
import type { Audience, IncidentStage, IncidentState } from './events.ts';
import type { Incident } from './model.ts';

export interface LadderStep {
  step: string;
  /** ms after the incident opened (the alarm's time) */
  afterMs: number;
  /** the step is still relevant while the incident is in one of these states */
  whileIn: readonly IncidentState[];
  audience: Audience[];
  /** the SLA stage whose deadline is recorded missed when this step fires */
  misses?: IncidentStage;
}

const S = 1000;
const MIN = 60 * S;
const NOT_ACCEPTED: readonly IncidentState[] = ['open', 'acknowledged'];
const NOT_ON_SITE: readonly IncidentState[] = ['open', 'acknowledged', 'dispatched'];

export const LADDERS: Record<AlarmClass, readonly LadderStep[]> = {
  emergency: [
    { step: 'unacknowledged_30s', afterMs: 30 * S, whileIn: ['open'], audience: ['dispatchers'] },
    {
      step: 'unacknowledged_60s',
      afterMs: 60 * S,
      whileIn: ['open'],
      audience: ['supervisor'],
      misses: 'acknowledge',
    },
    { step: 'unacknowledged_2m', afterMs: 2 * MIN, whileIn: ['open'], audience: ['contacts'] },
    {
      step: 'not_accepted_3m',
      afterMs: 3 * MIN,
      whileIn: NOT_ACCEPTED,
      audience: ['supervisor'],
      misses: 'accept',
    },
    {
      step: 'not_on_site_10m',
      afterMs: 10 * MIN,
      whileIn: NOT_ON_SITE,
      audience: ['supervisor', 'responder'],
    },
    {
      step: 'breach_15m',
      afterMs: 15 * MIN,
      whileIn: NOT_ON_SITE,
      audience: ['supervisor', 'family'],
      misses: 'on_site',
    },
  ],
  // Slower rule: flagged to the supervisor when overdue (accepted ≤ 1 h, closed ≤ 15 days).
  non_emergency: [
    {
      step: 'not_accepted_1h',
      afterMs: 60 * MIN,
      whileIn: ['open'],
      audience: ['supervisor'],
      misses: 'accept',
    },
    {
      step: 'not_resolved_15d',
      afterMs: 15 * 24 * 60 * MIN,
      whileIn: [...NOT_ON_SITE, 'on_site'],
      audience: ['supervisor'],
      misses: 'resolve',
    },
  ],
  wellness: [
    {
      step: 'not_accepted_1h',
      afterMs: 60 * MIN,
      whileIn: ['open'],
      audience: ['supervisor'],
      misses: 'accept',
    },
    {
      step: 'not_resolved_15d',
      afterMs: 15 * 24 * 60 * MIN,
      whileIn: [...NOT_ON_SITE, 'on_site'],
      audience: ['supervisor'],
      misses: 'resolve',
    },
  ],
};

/** The rule-timer kind of every escalation step. */
export const ESCALATION_KIND = 'incident-escalation';

export interface EscalationPayload {
  incidentId: string;
  step: string;
}

const keyOf = (incidentId: string, step: string) => `incident:${incidentId}:${step}`;

export function stepOf(cls: AlarmClass, step: string): LadderStep | null {
  return LADDERS[cls].find((s) => s.step === step) ?? null;
}

/** Arms every step of the incident's ladder (a persisted timer each). */
export function armLadder(timers: RuleTimers, incident: Incident): void {
  for (const s of LADDERS[incident.class]) {
    const payload: EscalationPayload = { incidentId: incident.id, step: s.step };
    timers.arm(
      keyOf(incident.id, s.step),
      ESCALATION_KIND,
      incident.householdId,
      incident.openedAt + s.afterMs,
      payload,
    );
  }
}

/** Cancels the steps the incident has moved past (all of them once it is closed). */
export function cancelPassedSteps(timers: RuleTimers, incident: Incident): void {
  for (const s of LADDERS[incident.class]) {
    if (!s.whileIn.includes(incident.state)) timers.cancel(keyOf(incident.id, s.step));
  }
}
