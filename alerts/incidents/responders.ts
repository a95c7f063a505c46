/**
 * Responder suggestions, the assignment follow-up and ETA estimates (issue 6, Responders).
 *
 * Suggested for an incident, in this order (kind priority), then by distance (unknown last), then id:
 * 1. the household's grid worker(s) (responder.grids includes household.grid);
 * 2. the staff of the station nearest the household (haversine from households.location; without a
 *    household location: the staff of every station, distance unknown);
 * 3. volunteers.
 * A responder pending or accepted on another not-closed incident is busy and left out. A responder's
 * distance is measured from their station (the only coordinates the registry keeps for a responder).
 */
import type { Registry } from '../../kernel/registry/index.ts';
import type { Responder, ResponderKind } from '../../kernel/registry/types.ts';
import { haversineM } from '../geo.ts';
import type { Incident } from './model.ts';

export interface Suggestion {
  responderId: string;
  name: string;
  kind: ResponderKind;
  phone: string;
  stationId: string | null;
  /** metres from the responder's station to the household; null without coordinates on either side */
  distanceM: number | null;
  /** minutes door to door at the assumed speed of the kind (see SPEED_M_PER_MIN); null without distance */
  etaMinutes: number | null;
}

/**
 * Assumed door-to-door speeds (an estimate, not routing): grid workers and station staff go by e-bike or
 * car through city streets at 15 km/h on average; volunteers come on foot at 5 km/h. m/min.
 */
export const SPEED_M_PER_MIN: Record<ResponderKind, number> = {
  grid_worker: 15_000 / 60,
  station_staff: 15_000 / 60,
  volunteer: 5_000 / 60,
};

const KIND_PRIORITY: Record<ResponderKind, number> = { grid_worker: 0, station_staff: 1, volunteer: 2 };

/** Minutes to cover `distanceM` at the kind's assumed speed, rounded up (a whole minute at least). */
export function etaMinutes(distanceM: number, kind: ResponderKind): number {
  return Math.max(1, Math.ceil(distanceM / SPEED_M_PER_MIN[kind]));
}

/** A responder assigned and not accepted within this time is replaced by the next suggestion (ms). */
export const ASSIGNMENT_FOLLOWUP_MS = 2 * 60 * 1000;
/** The rule-timer kind of the assignment follow-up. */
export const ASSIGNMENT_KIND = 'incident-assignment';
/** The escalation step announced when an assignment is offered to the next responder. */
export const REASSIGNED_STEP = 'assignment_not_accepted_2m';
/** The escalation step announced when a responder's position puts the ETA past the on-site deadline. */
export const ETA_STEP = 'eta_past_deadline';

export interface AssignmentPayload {
  incidentId: string;
  responderId: string;
  /** the assignment this follow-up is for; a newer assignment replaces it */
  assignedAt: number;
}

/** One follow-up timer per incident: a new assignment re-arms (replaces) it. */
export const assignmentKey = (incidentId: string) => `incident:${incidentId}:assignment`;

/**
 * The suggestions for `incident`. `busy`: responder ids pending or accepted on other not-closed incidents;
 * `exclude`: responders not to offer again (already tried on this incident).
 */
export async function suggestResponders(
  registry: Registry,
  incident: Incident,
  busy: ReadonlySet<string>,
  exclude: ReadonlySet<string> = new Set(),
): Promise<Suggestion[]> {
  const household = await registry.households.get(incident.householdId);
  const home = household?.location ?? null;
  const stations = await registry.people.listStations();
  const coords = new Map<string, { lat: number; lon: number }>();
  for (const s of stations)
    if (s.lat !== null && s.lon !== null) coords.set(s.id, { lat: s.lat, lon: s.lon });
  const distanceOf = (r: Responder): number | null => {
    const at = r.stationId ? coords.get(r.stationId) : undefined;
    return home && at ? Math.round(haversineM(home, at)) : null;
  };
  let nearestStation: string | null = null;
  if (home) {
    let best = Number.POSITIVE_INFINITY;
    for (const [id, at] of coords) {
      const d = haversineM(home, at);
      if (d < best) [best, nearestStation] = [d, id];
    }
  }
  const wanted = (r: Responder): boolean => {
    if (r.kind === 'grid_worker') return household !== null && r.grids.includes(household?.grid ?? '');
    if (r.kind === 'station_staff') return nearestStation === null || r.stationId === nearestStation;
    return true;
  };
  return (await registry.people.listResponders())
    .filter((r) => wanted(r) && !busy.has(r.id) && !exclude.has(r.id))
    .map((r): Suggestion => {
      const distanceM = distanceOf(r);
      return {
        responderId: r.id,
        name: r.name,
        kind: r.kind,
        phone: r.phone,
        stationId: r.stationId,
        distanceM,
        etaMinutes: distanceM === null ? null : etaMinutes(distanceM, r.kind),
      };
    })
    .sort(
      (a, b) =>
        KIND_PRIORITY[a.kind] - KIND_PRIORITY[b.kind] ||
        (a.distanceM ?? Number.POSITIVE_INFINITY) - (b.distanceM ?? Number.POSITIVE_INFINITY) ||
        a.responderId.localeCompare(b.responderId),
    );
}
