/**
 * The alarm path (issue 22, item 2): the points an alarm passes from the device's PUBLISH to a responder
 * at the door, each recorded per incident as epoch ms on the hub's clock (incident_path, written by
 * path-recorder.ts), and the hops between them. The points are in the order the hub passes them: the
 * rules run and the incident opens inside the group commit that stores the message, so "committed" (the
 * transaction durable, WAL synced) comes after "opened", not before it.
 */
import type { IncidentAction } from './model.ts';
import { percentile } from './stats.ts';

export const PATH_POINTS = [
  /** the broker got the PUBLISH (before the ACL, decode and the group commit) */
  'received',
  /** a rule raised (or re-triggered) the alarm, inside the message's group commit */
  'rule_fired',
  /** the incident was inserted, in the same transaction */
  'opened',
  /** that transaction is durable (WAL synced): the PUBACK, the consoles' frames and webhooks follow */
  'committed',
  /** the first dispatcher page that put it on screen reported so (POST /api/incidents/:id/seen) */
  'shown',
  /** a dispatcher acknowledged */
  'acknowledged',
  /** a responder accepted */
  'accepted',
  /** the responder is on site */
  'on_site',
] as const;
export type PathPoint = (typeof PATH_POINTS)[number];

/** An incident's path: epoch ms per point; null while not reached, or not measured (no PUBLISH behind it). */
export type PathTimes = Record<PathPoint, number | null>;

/** A stretch of the path: from one point to a later one; `name` is its /metrics label. */
export interface Hop {
  name: string;
  from: PathPoint;
  to: PathPoint;
}

const hop = (from: PathPoint, to: PathPoint): Hop => ({ name: `${from}_to_${to}`, from, to });

/** Each point to the next: the fixed set of `hop` labels of hub_alarm_path_seconds. */
export const HOPS: readonly Hop[] = PATH_POINTS.slice(1).map((to, k) => hop(PATH_POINTS[k] as PathPoint, to));

/** The whole path, from the button's PUBLISH to the responder at the door. */
export const WHOLE_PATH: Hop = hop('received', 'on_site');

/** The points the incident actions reach (the first time they happen). */
export const POINT_REACHED_BY: Partial<Record<IncidentAction, PathPoint>> = {
  acknowledge: 'acknowledged',
  accept: 'accepted',
  arrive: 'on_site',
};

/** A path with no point reached yet. */
export function emptyPath(): PathTimes {
  return Object.fromEntries(PATH_POINTS.map((p) => [p, null])) as PathTimes;
}

/**
 * A hop's time, ms: null unless both its ends were recorded in order (a screen that reported after the
 * incident was acknowledged has no shown → acknowledged hop).
 */
export function hopMs(times: PathTimes, h: Hop): number | null {
  const from = times[h.from];
  const to = times[h.to];
  return from === null || to === null || to < from ? null : to - from;
}

/** The hops that end at `point` and can be measured now: what is observed once it is recorded. */
export function hopsEndingAt(times: PathTimes, point: PathPoint): Array<{ hop: Hop; ms: number }> {
  return HOPS.flatMap((h) => {
    const ms = h.to === point ? hopMs(times, h) : null;
    return ms === null ? [] : [{ hop: h, ms }];
  });
}

/** The points reached, in path order, each with the time since the point reached before it. */
export function pathEntries(
  times: PathTimes,
): Array<{ point: PathPoint; at: number; sincePreviousMs: number | null }> {
  let previous: number | null = null;
  return PATH_POINTS.flatMap((point) => {
    const at = times[point];
    if (at === null) return [];
    const sincePreviousMs = previous === null ? null : at - previous;
    previous = at;
    return [{ point, at, sincePreviousMs }];
  });
}

/** One hop over many incidents: how many measured it, and its 50th and 99th percentile, ms. */
export interface HopFigures {
  hop: string;
  from: PathPoint;
  to: PathPoint;
  count: number;
  p50Ms: number | null;
  p99Ms: number | null;
}

export interface AlarmPathFigures {
  /** each hop, in path order */
  hops: HopFigures[];
  /** received → on site */
  whole: HopFigures;
}

function figuresOf(paths: readonly PathTimes[], h: Hop): HopFigures {
  const times = paths
    .map((p) => hopMs(p, h))
    .filter((ms): ms is number => ms !== null)
    .sort((a, b) => a - b);
  return {
    hop: h.name,
    from: h.from,
    to: h.to,
    count: times.length,
    p50Ms: percentile(times, 0.5),
    p99Ms: percentile(times, 0.99),
  };
}

/** The hops' figures over these incidents' paths (nearest-rank percentiles, as the SLA report's). */
export function pathFigures(paths: readonly PathTimes[]): AlarmPathFigures {
  return { hops: HOPS.map((h) => figuresOf(paths, h)), whole: figuresOf(paths, WHOLE_PATH) };
}
