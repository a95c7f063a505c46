import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { localDayRange, type SlaReport, slaReport, slaReportCsv } from '../../alerts/incidents/sla-report.ts';
import { HubError } from '../../kernel/errors.ts';
import { DISPATCH } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import { SlaReportSchema } from '../response-schemas.ts';
import { SECURED, StringEnum } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';

const tags = ['reports'];
/** ms; the longest range one request may ask for (a year and a day). */
const MAX_RANGE_MS = 367 * 86_400_000;
const DATE = '\\d{4}-\\d{2}-\\d{2}';

const Format = T.Optional(
  StringEnum(['json', 'csv'] as const, {
    description: 'csv: the figures as one table (or Accept: text/csv)',
  }),
);
const RangeQuery = T.Object(
  {
    from: T.String({
      pattern: `^(\\d{1,15}|${DATE})$`,
      description: 'epoch ms, or a local day (its midnight)',
    }),
    to: T.String({ pattern: `^(\\d{1,15}|${DATE})$`, description: 'exclusive: epoch ms, or a local day' }),
    format: Format,
  },
  { additionalProperties: false },
);
const DailyQuery = T.Object(
  { date: T.String({ pattern: `^${DATE}$`, description: 'local day, YYYY-MM-DD' }), format: Format },
  { additionalProperties: false },
);

const wantsCsv = (request: FastifyRequest, format: string | undefined) =>
  format === 'csv' || (format === undefined && (request.headers.accept ?? '').includes('text/csv'));

function send(request: FastifyRequest, reply: FastifyReply, report: SlaReport, format?: string) {
  if (!wantsCsv(request, format)) return report;
  return reply.type('text/csv; charset=utf-8').send(slaReportCsv(report));
}

/**
 * SLA reports (issue 6): the figures over any range, computed when asked, and the kept daily reports
 * (alerts/incidents/sla-daily.ts). For the dispatch center: supervisors, admins and dispatchers.
 */
export function reportRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { guard, alerts, clock, config } = ctx;
    const offset = config.historyUtcOffsetMinutes;
    const instant = (v: string, bound: 'from' | 'to') => {
      const at = /^\d+$/.test(v) ? Number(v) : localDayRange(v, offset).from;
      if (!Number.isFinite(at)) throw new HubError('HUB_ERR_VALIDATION', `${bound}: not a date`);
      return at;
    };

    app.get(
      '/reports/sla',
      {
        preHandler: guard.requireRole(DISPATCH),
        schema: {
          tags,
          summary: 'SLA figures over [from, to): total, per local day, grid and responder; breaches',
          security: SECURED,
          querystring: RangeQuery,
          response: {
            200: SlaReportSchema,
            ...errors({
              code: 'HUB_ERR_VALIDATION',
              message: 'need from < to, at most 367 days apart',
              details: { from: 1773504000000, to: 1773417600000 },
            }),
          },
        },
      },
      async (request, reply) => {
        const from = instant(request.query.from, 'from');
        const to = instant(request.query.to, 'to');
        if (to <= from || to - from > MAX_RANGE_MS) {
          throw new HubError('HUB_ERR_VALIDATION', 'need from < to, at most 367 days apart', { from, to });
        }
        const report = slaReport(await alerts.slaRows(from, to), {
          from,
          to,
          utcOffsetMinutes: offset,
          asOf: clock.now(),
        });
        return send(request, reply, report, request.query.format);
      },
    );

    app.get(
      '/reports/sla/daily',
      {
        preHandler: guard.requireRole(DISPATCH),
        schema: {
          tags,
          summary: 'The kept daily SLA report of a local day (generated after the day ends)',
          security: SECURED,
          querystring: DailyQuery,
          response: {
            200: SlaReportSchema,
            ...errors({
              code: 'HUB_ERR_NOT_FOUND',
              message: 'no daily SLA report for 2026-03-14',
              note: 'the day has not ended, or no report was kept',
            }),
          },
        },
      },
      async (request, reply) => {
        const kept = await alerts.slaDailyReport(request.query.date);
        if (!kept) throw new HubError('HUB_ERR_NOT_FOUND', `no daily SLA report for ${request.query.date}`);
        return send(request, reply, kept.report, request.query.format);
      },
    );
  };
}
