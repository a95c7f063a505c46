import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import type { Role } from '../../kernel/registry/types.ts';
import * as X from '../api-examples.ts';
import { type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import { HouseholdIdParams, SECURED, withExample } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found } from './lookups.ts';

const tags = ['households'];
/** The dispatch center, and a family member for their own linked households only (the guard's scope). */
const AWAY_ROLES: readonly Role[] = ['admin', 'supervisor', 'dispatcher', 'family'];
/** A forgotten period must not silence a home for ever: at most this far ahead, ms (90 days). */
const MAX_AWAY_MS = 90 * 24 * 3_600_000;

const AwayBody = withExample(
  T.Object(
    {
      until: T.Union([T.Integer({ minimum: 0 }), T.String({ format: 'date-time' })], {
        description: 'end of the away period: epoch ms or an ISO 8601 date-time with offset',
      }),
      reason: T.String({
        minLength: 1,
        maxLength: 200,
        description: 'e.g. "in hospital", "visiting family"',
      }),
    },
    { additionalProperties: false },
  ),
  X.AWAY_BODY,
);

const Declared = T.Object({
  householdId: T.String(),
  until: T.Integer({ description: 'epoch ms' }),
  reason: T.String(),
  setBy: T.String(),
  setAt: T.Integer({ description: 'epoch ms' }),
});

const AwayStatus = withExample(
  T.Object({
    householdId: T.String(),
    away: T.Boolean({ description: 'inactivity and water-use alarms are suppressed' }),
    declared: T.Union([Declared, T.Null()]),
    wristband: T.Union([
      T.Object({
        since: T.Integer(),
        at: T.Integer(),
        deviceId: T.String(),
        lat: T.Number(),
        lon: T.Number(),
        distanceM: T.Number(),
      }),
      T.Null(),
    ]),
  }),
  X.AWAY_STATUS,
);

/**
 * Away-suppression of a household (issue 5): marked away (in hospital, visiting family) until an end time;
 * the status also shows whether its wristband says the resident is away from home.
 */
export function awayRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, guard, away, clock } = ctx;
    if (!away) return; // a console started without the alerts room (tests of the console alone)
    const byParam: HouseholdScope = { household: paramId, notFound: 'HUB_ERR_HOUSEHOLD_UNKNOWN' };
    const household = async (id: string) =>
      found(await registry.households.get(id), 'HUB_ERR_HOUSEHOLD_UNKNOWN');

    app.get(
      '/households/:id/away',
      {
        preHandler: guard.requireRole(AWAY_ROLES, byParam),
        schema: {
          tags,
          summary: "Whether the household's inactivity and water-use alarms are suppressed, and why",
          security: SECURED,
          params: HouseholdIdParams,
          response: { 200: AwayStatus, ...errors('HUB_ERR_HOUSEHOLD_UNKNOWN') },
        },
      },
      async (request) => away.status((await household(request.params.id)).id),
    );

    app.post(
      '/households/:id/away',
      {
        preHandler: guard.requireRole(AWAY_ROLES, byParam),
        schema: {
          tags,
          summary: 'Mark the household away until a time (replaces a period it had)',
          security: SECURED,
          params: HouseholdIdParams,
          body: AwayBody,
          response: {
            200: AwayStatus,
            ...errors(
              'HUB_ERR_HOUSEHOLD_UNKNOWN',
              {
                code: 'HUB_ERR_VALIDATION',
                message: 'until must be in the future',
                details: { until: '2026-03-01T18:00:00+08:00' },
              },
              {
                code: 'HUB_ERR_VALIDATION',
                message: 'until may be at most 90 days ahead',
                details: { until: '2026-09-01T18:00:00+08:00' },
              },
            ),
          },
        },
      },
      async (request) => {
        const id = (await household(request.params.id)).id;
        const { until: raw, reason } = request.body;
        const until = typeof raw === 'number' ? raw : Date.parse(raw);
        const now = clock.now();
        if (!Number.isFinite(until) || until <= now) {
          throw new HubError('HUB_ERR_VALIDATION', 'until must be in the future', { until: raw });
        }
        if (until > now + MAX_AWAY_MS) {
          throw new HubError('HUB_ERR_VALIDATION', 'until may be at most 90 days ahead', { until: raw });
        }
        await away.declare(id, { until, reason, by: guard.userOf(request).username });
        return away.status(id);
      },
    );

    app.delete(
      '/households/:id/away',
      {
        preHandler: guard.requireRole(AWAY_ROLES, byParam),
        schema: {
          tags,
          summary: 'End the away period now (404 when there is none)',
          security: SECURED,
          params: HouseholdIdParams,
          response: {
            200: AwayStatus,
            ...errors('HUB_ERR_HOUSEHOLD_UNKNOWN', {
              code: 'HUB_ERR_NOT_FOUND',
              message: 'household hh-0001 is not marked away',
            }),
          },
        },
      },
      async (request) => {
        const id = (await household(request.params.id)).id;
        if (!(await away.cancel(id, guard.userOf(request).username))) {
          throw new HubError('HUB_ERR_NOT_FOUND', `household ${id} is not marked away`);
        }
        return away.status(id);
      },
    );
  };
}
