/**
 * The incident events the rest of the hub listens to (notifications, the consoles' live channel).
 * Shared contract between the incident service and the notification service.
 */
import type { AlarmClass, AlarmType, Explanation, Severity } from '../alarm.ts';

export const INCIDENT_STATES = [
  'open',
  'acknowledged',
  'dispatched',
  'on_site',
  'resolved',
  'cancelled',
] as const;
export type IncidentState = (typeof INCIDENT_STATES)[number];

/** SLA stages with a deadline: acknowledged, responder accepted, on site (emergency) or resolved. */
export type IncidentStage = 'acknowledge' | 'accept' | 'on_site' | 'resolve';

/** Who an escalation step or a progress message is for. */
export type Audience = 'dispatchers' | 'supervisor' | 'contacts' | 'responder' | 'family';

export interface StageProgress {
  /** epoch ms */
  dueAt: number;
  doneAt: number | null;
  tookMs: number | null;
  met: boolean | null;
}

export interface IncidentSummary {
  id: string;
  householdId: string;
  residentId: string | null;
  alarmType: AlarmType;
  class: AlarmClass;
  severity: Severity;
  state: IncidentState;
  /** epoch ms */
  openedAt: number;
  /** epoch ms per stage; a stage not in this incident's class is absent */
  deadlines: Partial<Record<IncidentStage, number>>;
  responderId: string | null;
  /** assigned, not yet accepted */
  pendingResponderId: string | null;
  /** epoch ms of the last change */
  updatedAt: number;
  /** epoch ms, once resolved or cancelled */
  closedAt: number | null;
  /** per stage: deadline, when it was reached, whether it was met (the consoles' countdowns) */
  stages: Partial<Record<IncidentStage, StageProgress>>;
  explanation: Explanation;
  /** alarms joined into this incident */
  alarmCount: number;
  /**
   * epoch ms the resident pressed cancel on the button after their SOS (no SOS pressed since); the incident
   * stays open until a person confirms. Null otherwise.
   */
  residentCancelledAt: number | null;
}

export interface IncidentEvents {
  incidentOpened: { incident: IncidentSummary };
  /** a transition, an assignment, a comment, a joined alarm; `by` is the user (null: the system) */
  incidentUpdated: { incident: IncidentSummary; change: string; by: string | null; at: number };
  /** an escalation step fired (from the persisted schedule); `late` when it fell due while the hub was down */
  incidentEscalated: {
    incident: IncidentSummary;
    step: string;
    audience: Audience[];
    late: boolean;
    at: number;
  };
}
