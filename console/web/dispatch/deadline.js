// Deadlines of an incident as the queue shows them: the next stage not yet reached, the time left on the
// hub's clock, and the colour level by the share of that stage's window (opened → due) still left.
/** @import { IncidentSummary, StageProgress } from '../api-types' */

/** @type {Record<string, number>} */
const CLASS_RANK = { emergency: 0, wellness: 1, non_emergency: 2 };
/** @type {Record<string, number>} */
const SEVERITY_RANK = { critical: 0, high: 1, medium: 2, low: 3 };

/**
 * The earliest stage with doneAt null: { stage, dueAt } or null when every stage is reached.
 * @param {{ stages?: Record<string, StageProgress> }} incident
 * @returns {{ stage: string, dueAt: number } | null}
 */
export function nextDeadline(incident) {
  /** @type {{ stage: string, dueAt: number } | null} */
  let next = null;
  for (const [stage, rec] of Object.entries(incident.stages ?? {})) {
    if (rec.doneAt !== null) continue;
    if (!next || rec.dueAt < next.dueAt) next = { stage, dueAt: rec.dueAt };
  }
  return next;
}

/**
 * calm: more than 50 % of the window left; warn: ≤ 50 %; urgent: ≤ 20 %; overdue: past the deadline.
 * @param {number} openedAt @param {number} dueAt @param {number} now (epoch ms, hub clock)
 */
export function level(openedAt, dueAt, now) {
  const left = dueAt - now;
  if (left < 0) return 'overdue';
  const share = left / Math.max(1, dueAt - openedAt);
  if (share <= 0.2) return 'urgent';
  if (share <= 0.5) return 'warn';
  return 'calm';
}

/**
 * Most urgent first: class (emergency, wellness, non-emergency), severity (critical … low), time left.
 * @param {Ranked} a @param {Ranked} b
 */
export function byUrgency(a, b) {
  const c = (CLASS_RANK[a.class] ?? 9) - (CLASS_RANK[b.class] ?? 9);
  if (c !== 0) return c;
  const s = (SEVERITY_RANK[a.severity] ?? 9) - (SEVERITY_RANK[b.severity] ?? 9);
  if (s !== 0) return s;
  const da = nextDeadline(a)?.dueAt ?? Number.MAX_SAFE_INTEGER;
  const db = nextDeadline(b)?.dueAt ?? Number.MAX_SAFE_INTEGER;
  if (da !== db) return da - db;
  return a.openedAt - b.openedAt;
}

/** @typedef {Pick<IncidentSummary, 'class' | 'severity' | 'stages' | 'openedAt'>} Ranked */

/** States in which an incident is off the queue. */
export const CLOSED = new Set(['resolved', 'cancelled']);
