import type { Incident } from '../../alerts/incidents/model.ts';
import type { TimelineEntry } from '../../alerts/incidents/service.ts';

/** Audit actions a family does not see: the dispatch center's internal comments. */
const INTERNAL_ACTIONS = new Set(['comment']);

/**
 * What a family reads of an incident through the REST API, in line with the live channel's family form:
 * the progress and the outcome, never the evidence (the triggering readings), the dispatch center's
 * comments, who acted from which address, the alarm path's timings, or the responder's exact position
 * (only a position's ETA).
 */
export function familyIncident<I extends Incident>(incident: I): I {
  return { ...incident, evidence: [] };
}

export function familyTimeline(timeline: readonly TimelineEntry[]): TimelineEntry[] {
  return timeline.flatMap((e): TimelineEntry[] => {
    // the evidence and the alarm path's points (the dispatch center's own measure) stay with it
    if (e.kind !== 'audit' || INTERNAL_ACTIONS.has(e.action)) return [];
    const detail =
      e.action === 'position' ? { etaAt: e.detail.etaAt, etaMinutes: e.detail.etaMinutes } : e.detail;
    // the role that acted stays ("the dispatch center"), not who
    return [{ ...e, userId: null, username: null, actorName: null, ip: null, userAgent: null, detail }];
  });
}
