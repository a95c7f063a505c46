import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { HistoryAnswer } from '../../ingest/influx-history.ts';
import type { HistoryRange } from '../../ingest/influx-history-types.ts';
import { HubError } from '../../kernel/errors.ts';
import type { Household } from '../../kernel/registry/types.ts';
import * as X from '../api-examples.ts';
import { DISPATCH, HOUSEHOLD_READERS, type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { type ErrorCase, errors } from '../error-responses.ts';
import {
  ActivityAnswer,
  BatteryAnswer,
  LastSeenAnswer,
  VitalsAnswer,
  WaterAnswer,
} from '../response-schemas.ts';
import { HouseholdIdParams, SECURED, StringEnum } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found } from './lookups.ts';

const tags = ['history'];

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The widest range one question may cover (31 days): bounds the work of InfluxDB and of the hub. */
export const MAX_RANGE_MS = 31 * 24 * HOUR_MS;
/** Without `from`, a question covers the last 24 hours. */
const DEFAULT_RANGE_MS = 24 * HOUR_MS;

const RangeQuery = {
  from: T.Optional(T.Integer({ minimum: 0, description: 'epoch ms, inclusive; default `to` − 24 h' })),
  to: T.Optional(T.Integer({ minimum: 0, description: 'epoch ms, exclusive; default now' })),
};
const Range = T.Object(RangeQuery, { additionalProperties: false });
const WaterQuery = T.Object(
  {
    ...RangeQuery,
    bucket: T.Optional(StringEnum(['hour', 'day'] as const, { description: 'default hour' })),
  },
  { additionalProperties: false },
);
const VitalsQuery = T.Object(
  {
    ...RangeQuery,
    device: T.Optional(
      T.String({
        minLength: 1,
        maxLength: 64,
        description: 'a wristband of the household; default all of them',
      }),
    ),
  },
  { additionalProperties: false },
);

/** The answers of every history route's handler: an unknown household, a range it refuses. */
const RANGE_ERRORS = [
  'HUB_ERR_HOUSEHOLD_UNKNOWN',
  {
    code: 'HUB_ERR_VALIDATION',
    message: 'the range may span at most 31 days',
    details: { from: X.DAY_START - 31 * DAY_MS, to: X.DAY_START + DAY_MS },
  },
  {
    code: 'HUB_ERR_VALIDATION',
    message: '`from` must be before `to`',
    details: { from: X.DAY_START + DAY_MS, to: X.DAY_START },
  },
] as const satisfies readonly ErrorCase[];
/** A family user of a household that does not share its rhythm (activity and water history). */
export const NOT_SHARED = {
  code: 'HUB_ERR_FORBIDDEN',
  message: "the household does not share its daily rhythm (sharing is not 'rhythm')",
} as const satisfies ErrorCase;

/** The bounded range of a question: 400 when `from` is not before `to` or it spans more than 31 days. */
function rangeOf(query: Static<typeof Range>, now: number): HistoryRange {
  const to = query.to ?? now;
  const from = query.from ?? to - DEFAULT_RANGE_MS;
  if (from >= to) throw new HubError('HUB_ERR_VALIDATION', '`from` must be before `to`', { from, to });
  if (to - from > MAX_RANGE_MS)
    throw new HubError('HUB_ERR_VALIDATION', 'the range may span at most 31 days', { from, to });
  return { from, to };
}

const withRange = <R>(range: HistoryRange, a: HistoryAnswer<R>) => ({
  source: a.source,
  ...range,
  rows: a.rows,
});

/**
 * A household's history (issue 4), from InfluxDB or, without it, the hub's local hourly aggregates.
 * Tenancy: a family user asking about a household not linked to them gets 404, as for a missing one.
 * Families never see raw sensor streams: only the hourly/daily aggregates (activity and water), and
 * only when the household's `sharing` is 'rhythm'; vitals, battery and last-seen are the dispatch
 * center's (admin, supervisor, dispatcher).
 */
export function historyRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, guard, history, clock } = ctx;
    if (!history) return; // a console started without the history module (tests of the console alone)
    const byParam: HouseholdScope = { household: paramId, notFound: 'HUB_ERR_HOUSEHOLD_UNKNOWN' };
    const household = async (id: string): Promise<Household> =>
      found(await registry.households.get(id), 'HUB_ERR_HOUSEHOLD_UNKNOWN');
    /** The household of a rhythm question: a family user only with sharing 'rhythm'. */
    const rhythmOf = async (request: FastifyRequest, id: string): Promise<Household> => {
      const h = await household(id);
      if (guard.userOf(request).role === 'family' && h.sharing !== 'rhythm')
        throw new HubError(NOT_SHARED.code, NOT_SHARED.message);
      return h;
    };
    const FAMILY_RHYTHM =
      ' A family user of the household gets it only when its sharing is `rhythm` (403 otherwise).';
    const DISPATCH_ONLY = ' Raw sensor data: admin, supervisor and dispatcher only; a family user gets 403.';

    app.get(
      '/households/:id/history/activity',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byParam),
        schema: {
          tags,
          summary: 'Activity timeline: motion events by room per hour',
          description: `Range at most 31 days, default the last 24 h.${FAMILY_RHYTHM}`,
          security: SECURED,
          params: HouseholdIdParams,
          querystring: Range,
          response: { 200: ActivityAnswer, ...errors(...RANGE_ERRORS, NOT_SHARED) },
        },
      },
      async (request) => {
        const h = await rhythmOf(request, request.params.id);
        const range = rangeOf(request.query, clock.now());
        return withRange(range, await history.activity(h.id, range));
      },
    );

    app.get(
      '/households/:id/history/water',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byParam),
        schema: {
          tags,
          summary: 'Water use in litres per hour or per local day (from the meter register)',
          description: `Range at most 31 days, default the last 24 h.${FAMILY_RHYTHM}`,
          security: SECURED,
          params: HouseholdIdParams,
          querystring: WaterQuery,
          response: { 200: WaterAnswer, ...errors(...RANGE_ERRORS, NOT_SHARED) },
        },
      },
      async (request) => {
        const h = await rhythmOf(request, request.params.id);
        const range = rangeOf(request.query, clock.now());
        return withRange(range, await history.waterUse(h.id, range, request.query.bucket ?? 'hour'));
      },
    );

    app.get(
      '/households/:id/history/vitals',
      {
        preHandler: guard.requireRole(DISPATCH, byParam),
        schema: {
          tags,
          summary: 'Heart rate (bpm) and SpO₂ (%) per hour of the household’s wristbands',
          description: `Range at most 31 days, default the last 24 h.${DISPATCH_ONLY}`,
          security: SECURED,
          params: HouseholdIdParams,
          querystring: VitalsQuery,
          response: {
            200: VitalsAnswer,
            ...errors(...RANGE_ERRORS, {
              code: 'HUB_ERR_DEVICE_UNKNOWN',
              message: 'no wristband wb-0009 in household hh-0001',
            }),
          },
        },
      },
      async (request) => {
        const h = await household(request.params.id);
        const range = rangeOf(request.query, clock.now());
        const bands = (await registry.devices.list([h.id])).filter(
          (d) => d.type === 'wristband' && (!request.query.device || d.id === request.query.device),
        );
        if (request.query.device && bands.length === 0)
          throw new HubError(
            'HUB_ERR_DEVICE_UNKNOWN',
            `no wristband ${request.query.device} in household ${h.id}`,
          );
        let source: 'influx' | 'local' = 'influx';
        const rows = [];
        for (const band of bands) {
          const a = await history.vitals(h.id, band.id, range);
          if (a.source === 'local') source = 'local'; // any part answered locally: say so
          rows.push(...a.rows.map((r) => ({ deviceId: band.id, ...r })));
        }
        if (bands.length === 0) source = ctx.config.influxUrl ? 'influx' : 'local';
        return { source, ...range, rows };
      },
    );

    app.get(
      '/households/:id/history/battery',
      {
        preHandler: guard.requireRole(DISPATCH, byParam),
        schema: {
          tags,
          summary: 'The last battery level each device of the household reported in the range',
          description: `Range at most 31 days, default the last 24 h.${DISPATCH_ONLY}`,
          security: SECURED,
          params: HouseholdIdParams,
          querystring: Range,
          response: { 200: BatteryAnswer, ...errors(...RANGE_ERRORS) },
        },
      },
      async (request) => {
        const h = await household(request.params.id);
        const range = rangeOf(request.query, clock.now());
        return withRange(range, await history.battery(h.id, range));
      },
    );

    app.get(
      '/households/:id/history/last-seen',
      {
        preHandler: guard.requireRole(DISPATCH, byParam),
        schema: {
          tags,
          summary: 'The last time each device of the household was heard in the range',
          description: `Range at most 31 days, default the last 24 h.${DISPATCH_ONLY}`,
          security: SECURED,
          params: HouseholdIdParams,
          querystring: Range,
          response: { 200: LastSeenAnswer, ...errors(...RANGE_ERRORS) },
        },
      },
      async (request) => {
        const h = await household(request.params.id);
        const range = rangeOf(request.query, clock.now());
        return withRange(range, await history.lastSeen(h.id, range));
      },
    );
  };
}
