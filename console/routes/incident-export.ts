import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { INCIDENT_STATES } from '../../alerts/incidents/events.ts';
import type { Incident, StageRecord } from '../../alerts/incidents/model.ts';
import { localDayRange } from '../../alerts/incidents/sla-report.ts';
import { csvLine } from '../../kernel/csv.ts';
import { HubError } from '../../kernel/errors.ts';
import * as X from '../api-examples.ts';
import { DISPATCH } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import { ListOf, SECURED, StringEnum, withExample } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { NO_STORE } from './lookups.ts';

/** Incidents one export may hold: a month of a county is a few thousand; beyond this, narrow the range. */
export const EXPORT_MAX = 100_000;
const DATE = '\\d{4}-\\d{2}-\\d{2}';
const STAGES = ['acknowledge', 'accept', 'on_site', 'resolve'] as const;

const ExportQuery = T.Object(
  {
    from: T.String({
      pattern: `^(\\d{1,15}|${DATE})$`,
      description: 'opened at or after: epoch ms, or a local day',
    }),
    to: T.String({
      pattern: `^(\\d{1,15}|${DATE})$`,
      description: 'opened before (exclusive): epoch ms, or a local day',
    }),
    class: T.Optional(StringEnum(['emergency', 'wellness', 'non_emergency'] as const)),
    state: T.Optional(StringEnum(INCIDENT_STATES)),
    grid: T.Optional(T.String({ minLength: 1, maxLength: 100, description: 'households of this grid only' })),
    format: T.Optional(
      StringEnum(['json', 'csv'] as const, { description: 'csv (or Accept: text/csv) or json' }),
    ),
  },
  { additionalProperties: false },
);
const Stage = T.Object({
  dueAt: T.Integer(),
  doneAt: T.Union([T.Integer(), T.Null()]),
  tookMs: T.Union([T.Integer(), T.Null()]),
  met: T.Union([T.Boolean(), T.Null()]),
});
const ExportRow = withExample(
  T.Object({
    id: T.String(),
    openedAt: T.Integer({ description: 'epoch ms' }),
    householdId: T.String(),
    grid: T.Union([T.String(), T.Null()]),
    class: T.String(),
    alarmType: T.String(),
    severity: T.String(),
    state: T.String(),
    alarmCount: T.Integer(),
    closedAt: T.Union([T.Integer(), T.Null()]),
    outcome: T.Union([T.String(), T.Null()]),
    stages: T.Record(T.String(), Stage),
  }),
  X.EXPORT_ROW,
);

type Row = {
  id: string;
  openedAt: number;
  householdId: string;
  grid: string | null;
  class: string;
  alarmType: string;
  severity: string;
  state: string;
  alarmCount: number;
  closedAt: number | null;
  outcome: string | null;
  stages: Partial<Record<(typeof STAGES)[number], StageRecord>>;
};

const HEADER = [
  'id',
  'opened_at',
  'household_id',
  'grid',
  'class',
  'alarm_type',
  'severity',
  'state',
  'alarm_count',
  'closed_at',
  'outcome',
  ...STAGES.flatMap((s) => [`${s}_due_at`, `${s}_took_s`, `${s}_met`]),
];
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The CSV answer (outside the typed route: its schema describes the JSON one). */
function sendCsv(reply: FastifyReply, name: string, rows: Row[]): FastifyReply {
  return reply
    .type('text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${name}"`)
    .send(csvOf(rows));
}

function csvOf(rows: Row[]): string {
  const lines = [csvLine(HEADER)];
  for (const r of rows) {
    lines.push(
      csvLine([
        r.id,
        iso(r.openedAt),
        r.householdId,
        r.grid,
        r.class,
        r.alarmType,
        r.severity,
        r.state,
        r.alarmCount,
        iso(r.closedAt),
        r.outcome,
        ...STAGES.flatMap((s) => {
          const st = r.stages[s];
          return st
            ? [iso(st.dueAt), st.tookMs === null ? null : st.tookMs / 1000, st.met]
            : [null, null, null];
        }),
      ]),
    );
  }
  return lines.join('');
}

/**
 * The incident list for a date range as CSV or JSON (issue 22, exports), filtered by class, state and
 * grid: for supervisors' monthly reports and the county's records. The dispatch center's roles only;
 * ids and figures, no personal data (names, phones, addresses stay in the console).
 */
export function incidentExportRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { guard, incidents, registry, config } = ctx;
    if (!incidents) return;
    const instant = (v: string, bound: 'from' | 'to') => {
      const at = /^\d+$/.test(v) ? Number(v) : localDayRange(v, config.historyUtcOffsetMinutes).from;
      if (!Number.isFinite(at)) throw new HubError('HUB_ERR_VALIDATION', `${bound}: not a date`);
      return at;
    };

    app.get(
      '/incidents/export',
      {
        preHandler: guard.requireRole(DISPATCH),
        schema: {
          tags: ['incidents', 'reports'],
          summary: 'The incidents opened in a range, as CSV or JSON; by class, state and grid',
          security: SECURED,
          querystring: ExportQuery,
          response: {
            200: ListOf(ExportRow),
            ...errors(
              { code: 'HUB_ERR_VALIDATION', message: 'to must be after from' },
              { code: 'HUB_ERR_VALIDATION', message: `more than ${EXPORT_MAX} incidents: narrow the range` },
            ),
          },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const from = instant(q.from, 'from');
        const to = instant(q.to, 'to');
        if (to <= from) throw new HubError('HUB_ERR_VALIDATION', 'to must be after from');
        const households = await registry.households.list();
        const gridOf = new Map(households.map((h) => [h.id, h.grid]));
        const inGrid =
          q.grid === undefined ? undefined : households.filter((h) => h.grid === q.grid).map((h) => h.id);
        const list: Incident[] = await incidents.list({
          from,
          to,
          ...(q.class ? { class: q.class } : {}),
          ...(q.state ? { state: q.state } : {}),
          ...(inGrid ? { households: inGrid } : {}),
          limit: EXPORT_MAX + 1,
        });
        if (list.length > EXPORT_MAX)
          throw new HubError('HUB_ERR_VALIDATION', `more than ${EXPORT_MAX} incidents: narrow the range`);
        const rows: Row[] = list
          .map((i) => ({
            id: i.id,
            openedAt: i.openedAt,
            householdId: i.householdId,
            grid: gridOf.get(i.householdId) ?? null,
            class: i.class,
            alarmType: i.alarmType,
            severity: i.severity,
            state: i.state,
            alarmCount: i.alarmCount,
            closedAt: i.closedAt,
            outcome: i.outcome,
            stages: i.stages,
          }))
          .sort((a, b) => a.openedAt - b.openedAt || a.id.localeCompare(b.id));
        reply.headers(NO_STORE);
        const csv =
          q.format === 'csv' ||
          (q.format === undefined && (request.headers.accept ?? '').includes('text/csv'));
        if (!csv) return rows;
        const name = `incidents-${q.from}-${q.to}${q.grid ? `-${q.grid}` : ''}.csv`.replace(/[^\w.-]/g, '_');
        return sendCsv(reply, name, rows);
      },
    );
  };
}
