import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import type { Household } from '../../kernel/registry/types.ts';
import * as X from '../api-examples.ts';
import { HOUSEHOLD_READERS, type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import { RhythmAnswer, USUAL_DAYS } from '../response-schemas.ts';
import { HouseholdIdParams, SECURED } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { NOT_SHARED } from './history.ts';
import { found } from './lookups.ts';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

const RhythmQuery = T.Object(
  {
    date: T.Optional(
      T.String({
        pattern: '^\\d{4}-\\d{2}-\\d{2}$',
        description: 'the local day (historyUtcOffsetMinutes), YYYY-MM-DD; default today on the hub clock',
        examples: [X.RHYTHM.date],
      }),
    ),
  },
  { additionalProperties: false },
);

const zeros = () => Array.from({ length: 24 }, () => 0);
const round1 = (n: number) => Math.round(n * 10) / 10;

/**
 * A household's daily rhythm (issue 8, the family page): the asked local day's motion events and water
 * litres per hour beside the usual day (the mean of the 7 days before with any data), from the history
 * module (InfluxDB or the hub's hourly aggregates) — hourly counts only, never raw readings — and the
 * resident's baseline summary when the alerts room computed one. A family user of the household gets it
 * only with sharing 'rhythm' (403 otherwise); any other household is 404, as if it did not exist.
 */
export function rhythmRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, guard, history, clock, alerts } = ctx;
    if (!history) return; // a console started without the history module
    const offsetMs = ctx.config.historyUtcOffsetMinutes * 60_000;
    const byParam: HouseholdScope = { household: paramId, notFound: 'HUB_ERR_HOUSEHOLD_UNKNOWN' };

    /** The local midnight starting `date` (or today), and the date string. */
    const dayOf = (date: string | undefined): { start: number; date: string } => {
      if (date !== undefined) {
        const utcMidnight = Date.parse(`${date}T00:00:00Z`);
        if (!Number.isFinite(utcMidnight) || new Date(utcMidnight).toISOString().slice(0, 10) !== date)
          throw new HubError('HUB_ERR_VALIDATION', 'date must be a calendar day YYYY-MM-DD', { date });
        return { start: utcMidnight - offsetMs, date };
      }
      const local = clock.now() + offsetMs;
      const start = local - (((local % DAY_MS) + DAY_MS) % DAY_MS) - offsetMs;
      return { start, date: new Date(start + offsetMs).toISOString().slice(0, 10) };
    };

    app.get(
      '/households/:id/rhythm',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byParam),
        schema: {
          tags: ['history'],
          summary: "A day's hourly activity and water use beside the usual day",
          description:
            'Motion events and litres per local hour of the day, and the mean of the 7 days before. A family user of the household gets it only when its sharing is `rhythm` (403 otherwise).',
          security: SECURED,
          params: HouseholdIdParams,
          querystring: RhythmQuery,
          response: {
            200: RhythmAnswer,
            ...errors(
              'HUB_ERR_HOUSEHOLD_UNKNOWN',
              NOT_SHARED,
              {
                code: 'HUB_ERR_VALIDATION',
                message: 'the day has not begun yet',
                details: { date: '2026-03-15' },
              },
              {
                code: 'HUB_ERR_VALIDATION',
                message: 'date must be a calendar day YYYY-MM-DD',
                details: { date: '2026-02-30' },
              },
            ),
          },
        },
      },
      async (request) => {
        const h: Household = found(
          await registry.households.get(request.params.id),
          'HUB_ERR_HOUSEHOLD_UNKNOWN',
        );
        if (guard.userOf(request).role === 'family' && h.sharing !== 'rhythm')
          throw new HubError(NOT_SHARED.code, NOT_SHARED.message);
        const { start, date } = dayOf(request.query.date);
        const now = clock.now();
        if (start > now) throw new HubError('HUB_ERR_VALIDATION', 'the day has not begun yet', { date });
        const range = { from: start - USUAL_DAYS * DAY_MS, to: start + DAY_MS };
        const [activity, water, baseline] = await Promise.all([
          history.activity(h.id, range),
          history.waterUse(h.id, range, 'hour'),
          alerts.latestBaseline(h.id),
        ]);
        // Day index 0..7 (7 = the day asked) by local hour: counts summed over rooms.
        const motions = Array.from({ length: USUAL_DAYS + 1 }, zeros);
        const liters = Array.from({ length: USUAL_DAYS + 1 }, zeros);
        const add = (table: number[][], at: number, n: number) => {
          const offset = at - range.from;
          const day = Math.floor(offset / DAY_MS);
          const hour = Math.floor((offset % DAY_MS) / HOUR_MS);
          const row = table[day];
          if (row && hour >= 0 && hour < 24) row[hour] = (row[hour] ?? 0) + n;
        };
        for (const r of activity.rows) add(motions, r.hour, r.motions);
        for (const r of water.rows) add(liters, r.start, r.liters);
        const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
        // A day with no motion and no water at all is a day without data (hub not yet installed, away).
        const usualDays = Array.from({ length: USUAL_DAYS }, (_, d) => d).filter(
          (d) => sum(motions[d] ?? []) + sum(liters[d] ?? []) > 0,
        );
        const mean = (table: number[][]) =>
          zeros().map((_, hour) =>
            usualDays.length === 0
              ? 0
              : round1(sum(usualDays.map((d) => table[d]?.[hour] ?? 0)) / usualDays.length),
          );
        return {
          householdId: h.id,
          date,
          dayStart: start,
          source: (activity.source === 'local' || water.source === 'local' ? 'local' : 'influx') as
            | 'local'
            | 'influx',
          today: {
            motions: motions[USUAL_DAYS] ?? zeros(),
            liters: (liters[USUAL_DAYS] ?? zeros()).map(round1),
            hoursElapsed: Math.min(24, Math.ceil((now - start) / HOUR_MS)),
          },
          usual: { motions: mean(motions), liters: mean(liters), days: usualDays.length },
          baseline,
        };
      },
    );
  };
}
