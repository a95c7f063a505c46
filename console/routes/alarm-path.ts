import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import * as X from '../api-examples.ts';
import { DISPATCH, type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import { Nullable, SECURED, withExample } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';

const SeenSchema = withExample(
  T.Object({
    incidentId: T.String(),
    shownAt: Nullable(
      T.Integer({
        minimum: 0,
        description:
          'epoch ms, hub clock: when the first report arrived; null when the incident has no alarm path (opened before the hub measured them)',
      }),
    ),
    counted: T.Boolean({
      description: 'this report was the first: it set shownAt (a later one changes nothing)',
    }),
  }),
  { incidentId: X.INCIDENT_ID, shownAt: X.SHOWN_AT, counted: true },
);

/**
 * The alarm path's "shown" (alerts/incidents/alarm-path.ts): the dispatcher page reports, once it has
 * put an incident on screen, that it did; the first report of any dispatch-center console counts. The
 * rest of the path is recorded by the alerts room itself; its figures are in the SLA report (alarmPath).
 */
export function alarmPathRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { guard, incidents } = ctx;
    if (!incidents) return; // a console started without the alerts room
    // A family user gets 404 for another household's incident, exactly as if it did not exist.
    const byParam: HouseholdScope = {
      household: async (request) => (await incidents.get(paramId(request)))?.householdId ?? null,
      notFound: 'HUB_ERR_NOT_FOUND',
    };
    app.post(
      '/incidents/:id/seen',
      {
        preHandler: guard.requireRole(DISPATCH, byParam),
        schema: {
          tags: ['incidents'],
          summary:
            "A dispatcher page has put the incident on screen (the alarm path's `shown`); only the first report counts",
          security: SECURED,
          params: T.Object({ id: T.String({ minLength: 1, maxLength: 100, examples: [X.INCIDENT_ID] }) }),
          response: {
            200: SeenSchema,
            ...errors({ code: 'HUB_ERR_NOT_FOUND', message: 'unknown incident' }),
          },
        },
      },
      async (request) => incidents.shown(paramId(request)),
    );
  };
}
