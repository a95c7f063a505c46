/**
 * SLA report (issue 6, Reports): figures over the incidents opened in [from, to), in total, per local day,
 * per grid and per responder, plus every missed deadline with its reason. Pure computation over rows read
 * by `readSlaRows` (sla-rows.ts); the HTTP form is console/routes/reports.ts, the kept daily one
 * sla-daily.ts.
 */
import type { AlarmClass } from '../alarm.ts';
import { type AlarmPathFigures, type PathTimes, pathFigures } from './alarm-path.ts';
import type { IncidentStage, IncidentState } from './events.ts';
import { CLOSED_STATES, type StageRecord } from './model.ts';
import { median, percentile } from './stats.ts';

/** The promise's two headline deadlines (design.md "The promise"), ms after the alarm. */
export const ACK_WITHIN_MS = 60_000;
export const ON_SITE_WITHIN_MS = 15 * 60_000;
export const SLA_STAGES: readonly IncidentStage[] = ['acknowledge', 'accept', 'on_site', 'resolve'];
const DAY_MS = 86_400_000;

/** What the report needs of one incident. */
export interface SlaRow {
  id: string;
  householdId: string;
  /** the household's grid; null when the household is gone */
  grid: string | null;
  /** the responder who accepted; null when none did */
  responderId: string | null;
  class: AlarmClass;
  state: IncidentState;
  openedAt: number;
  closedAt: number | null;
  stages: Partial<Record<IncidentStage, StageRecord>>;
  /** its alarm path (alarm-path.ts); null when opened before the hub measured them */
  path: PathTimes | null;
}

/** A share of incidents that met a deadline, over those where the answer is known. */
export interface Share {
  /** reached within the deadline */
  met: number;
  /** reached, or known to be missed (cancelled before the deadline and not reached: not counted) */
  counted: number;
  /** met / counted, 0..1; null when nothing was counted */
  share: number | null;
}

/** Time from the alarm to reaching a stage, ms. */
export interface StageTiming {
  count: number;
  medianMs: number | null;
  p90Ms: number | null;
}

export interface SlaFigures {
  incidents: number;
  emergencies: number;
  /** emergencies acknowledged ≤ 60 s after the alarm */
  acknowledgedWithin60s: Share;
  /** emergencies with a responder on site ≤ 15 min after the alarm */
  onSiteWithin15min: Share;
  /**
   * Of the emergencies that reached each stage: acknowledge, accept (a responder accepted), on_site; resolve
   * is the time to resolution (closed as resolved). Emergencies only: the other classes' hours and days
   * would swamp the minutes that matter.
   */
  stages: Record<IncidentStage, StageTiming>;
  /** missed deadlines (any class) */
  breaches: number;
}

export interface SlaBreach {
  incidentId: string;
  householdId: string;
  grid: string | null;
  responderId: string | null;
  class: AlarmClass;
  openedAt: number;
  /** which deadline */
  stage: IncidentStage;
  dueAt: number;
  /** when the stage was reached, null: not reached */
  doneAt: number | null;
  /** by how much, ms: reached − due, or (not reached) closed or report time − due */
  lateByMs: number;
  reason: string;
}

export interface SlaReport {
  from: number;
  to: number;
  /** minutes east of UTC of the local days (config historyUtcOffsetMinutes) */
  utcOffsetMinutes: number;
  /** epoch ms the figures were computed at: a stage not reached by then and past its deadline is missed */
  asOf: number;
  total: SlaFigures;
  byDay: Array<{ day: string } & SlaFigures>;
  byGrid: Array<{ grid: string | null } & SlaFigures>;
  byResponder: Array<{ responderId: string | null } & SlaFigures>;
  breaches: SlaBreach[];
  /**
   * The emergencies' alarm path, hop by hop: p50/p99 over those that measured each hop (the other
   * classes' hours would swamp the seconds that matter). Absent from daily reports kept before it existed.
   */
  alarmPath?: AlarmPathFigures;
}

/** The local calendar day (YYYY-MM-DD) of an instant, `offsetMinutes` east of UTC. */
export function localDay(at: number, offsetMinutes: number): string {
  return new Date(at + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

/** [start, end) epoch ms of a local calendar day. */
export function localDayRange(day: string, offsetMinutes: number): { from: number; to: number } {
  const from = Date.parse(`${day}T00:00:00Z`) - offsetMinutes * 60_000;
  return { from, to: from + DAY_MS };
}

/** The time an emergency took to reach a stage, ms; null when it did not. */
function took(row: SlaRow, stage: IncidentStage): number | null {
  if (stage === 'resolve') {
    return row.state === 'resolved' && row.closedAt !== null ? row.closedAt - row.openedAt : null;
  }
  return row.stages[stage]?.tookMs ?? null;
}

/** A stage's deadline outcome: reached in time, missed (with by how much), or not (yet) decided. */
function verdict(row: SlaRow, rec: StageRecord, asOf: number): { missedByMs: number } | 'met' | null {
  if (rec.doneAt !== null) return rec.doneAt <= rec.dueAt ? 'met' : { missedByMs: rec.doneAt - rec.dueAt };
  const closed = CLOSED_STATES.includes(row.state);
  const end = closed ? (row.closedAt ?? asOf) : asOf;
  // Recorded missed by the ladder, or past due at report time (the step may not have fired yet).
  if (rec.met === false || end > rec.dueAt) return { missedByMs: Math.max(0, end - rec.dueAt) };
  return null; // cancelled before its deadline, or still within it
}

function share(rows: readonly SlaRow[], stage: IncidentStage, withinMs: number, asOf: number): Share {
  let met = 0;
  let counted = 0;
  for (const row of rows) {
    const rec = row.stages[stage];
    if (!rec) continue;
    if (rec.tookMs !== null) {
      counted++;
      if (rec.tookMs <= withinMs) met++;
    } else if (verdict(row, rec, asOf) !== null) {
      counted++;
    }
  }
  return { met, counted, share: counted === 0 ? null : met / counted };
}

function breachesOf(row: SlaRow, asOf: number): SlaBreach[] {
  const out: SlaBreach[] = [];
  for (const stage of SLA_STAGES) {
    const rec = row.stages[stage];
    if (!rec) continue;
    const v = verdict(row, rec, asOf);
    if (v === null || v === 'met') continue;
    const by = `${Math.round(v.missedByMs / 1000)} s`;
    const reason =
      rec.doneAt !== null
        ? `${stage} reached ${by} after its deadline`
        : row.state === 'cancelled'
          ? `${stage} not reached; cancelled ${by} after its deadline`
          : row.state === 'resolved'
            ? `${stage} not reached; resolved ${by} after its deadline`
            : `${stage} not reached; ${by} past its deadline at report time`;
    out.push({
      incidentId: row.id,
      householdId: row.householdId,
      grid: row.grid,
      responderId: row.responderId,
      class: row.class,
      openedAt: row.openedAt,
      stage,
      dueAt: rec.dueAt,
      doneAt: rec.doneAt,
      lateByMs: v.missedByMs,
      reason,
    });
  }
  return out;
}

export function figures(rows: readonly SlaRow[], asOf: number): SlaFigures {
  const emergencies = rows.filter((r) => r.class === 'emergency');
  const stages = {} as Record<IncidentStage, StageTiming>;
  for (const stage of SLA_STAGES) {
    const times = emergencies
      .map((r) => took(r, stage))
      .filter((t): t is number => t !== null)
      .sort((a, b) => a - b);
    stages[stage] = { count: times.length, medianMs: median(times), p90Ms: percentile(times, 0.9) };
  }
  return {
    incidents: rows.length,
    emergencies: emergencies.length,
    acknowledgedWithin60s: share(emergencies, 'acknowledge', ACK_WITHIN_MS, asOf),
    onSiteWithin15min: share(emergencies, 'on_site', ON_SITE_WITHIN_MS, asOf),
    stages,
    breaches: rows.reduce((n, r) => n + breachesOf(r, asOf).length, 0),
  };
}

function groupBy<K>(rows: readonly SlaRow[], key: (r: SlaRow) => K): Map<K, SlaRow[]> {
  const out = new Map<K, SlaRow[]>();
  for (const row of rows) {
    const k = key(row);
    const list = out.get(k);
    if (list) list.push(row);
    else out.set(k, [row]);
  }
  return out;
}

/** Nulls last, else lexical: a stable order for tables. */
const byKey = (a: string | null, b: string | null) =>
  a === b ? 0 : a === null ? 1 : b === null ? -1 : a < b ? -1 : 1;

/** The report over `rows` (incidents opened in [from, to)), judged as of `asOf`. */
export function slaReport(
  rows: readonly SlaRow[],
  range: { from: number; to: number; utcOffsetMinutes: number; asOf: number },
): SlaReport {
  const { asOf, utcOffsetMinutes } = range;
  const days = groupBy(rows, (r) => localDay(r.openedAt, utcOffsetMinutes));
  const grids = groupBy(rows, (r) => r.grid);
  const responders = groupBy(rows, (r) => r.responderId);
  return {
    from: range.from,
    to: range.to,
    utcOffsetMinutes,
    asOf,
    total: figures(rows, asOf),
    byDay: [...days.keys()].sort(byKey).map((day) => ({ day, ...figures(days.get(day) ?? [], asOf) })),
    byGrid: [...grids.keys()].sort(byKey).map((grid) => ({ grid, ...figures(grids.get(grid) ?? [], asOf) })),
    byResponder: [...responders.keys()]
      .sort(byKey)
      .map((responderId) => ({ responderId, ...figures(responders.get(responderId) ?? [], asOf) })),
    breaches: rows.flatMap((r) => breachesOf(r, asOf)),
    alarmPath: pathFigures(rows.flatMap((r) => (r.class === 'emergency' && r.path ? [r.path] : []))),
  };
}

const CSV_HEADER = [
  'scope',
  'key',
  'incidents',
  'emergencies',
  'ack_within_60s',
  'ack_counted',
  'ack_share',
  'on_site_within_15min',
  'on_site_counted',
  'on_site_share',
  ...SLA_STAGES.flatMap((s) => [`${s}_count`, `${s}_median_ms`, `${s}_p90_ms`]),
  'breaches',
];

/** RFC 4180 field: quoted when it holds a comma, quote or line break. */
const field = (v: string | number | null) => {
  const s = v === null ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

function csvLine(scope: string, key: string | null, f: SlaFigures): string {
  return [
    scope,
    key,
    f.incidents,
    f.emergencies,
    f.acknowledgedWithin60s.met,
    f.acknowledgedWithin60s.counted,
    f.acknowledgedWithin60s.share,
    f.onSiteWithin15min.met,
    f.onSiteWithin15min.counted,
    f.onSiteWithin15min.share,
    ...SLA_STAGES.flatMap((s) => [f.stages[s].count, f.stages[s].medianMs, f.stages[s].p90Ms]),
    f.breaches,
  ]
    .map(field)
    .join(',');
}

/** The figures as one CSV table: a row for the total, each day, grid and responder (empty key: none). */
export function slaReportCsv(r: SlaReport): string {
  const lines = [
    CSV_HEADER.join(','),
    csvLine('total', null, r.total),
    ...r.byDay.map((d) => csvLine('day', d.day, d)),
    ...r.byGrid.map((g) => csvLine('grid', g.grid, g)),
    ...r.byResponder.map((x) => csvLine('responder', x.responderId, x)),
  ];
  return `${lines.join('\r\n')}\r\n`;
}
