import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import { HOUSEHOLD_READERS, type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import { HouseholdIdParams, SECURED } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { HouseholdView } from '../views/household-view.ts';
import { HouseholdStatusSchema } from '../views/schemas.ts';

/**
 * A household at a glance (the family page, and the dispatch center): all well / needs attention /
 * alarm in progress, last movement, devices' health, contacts, the incident in progress and away.
 * A family user gets 404 for a household not linked to them, exactly as for one that does not exist.
 */
export function householdStatusRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { guard, registry } = ctx;
    const view = new HouseholdView({
      registry,
      ingest: ctx.ingest.queries,
      alerts: ctx.alerts,
      incidents: ctx.incidents,
      away: ctx.away,
      now: () => ctx.clock.now(),
    });
    const byParam: HouseholdScope = {
      household: async (request) => (await registry.households.get(paramId(request)))?.id ?? null,
      notFound: 'HUB_ERR_HOUSEHOLD_UNKNOWN',
    };

    app.get(
      '/households/:id/status',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byParam),
        schema: {
          tags: ['households'],
          summary:
            "A household at a glance: state, last movement, devices' health, contacts, incident in progress",
          security: SECURED,
          params: HouseholdIdParams,
          response: { 200: HouseholdStatusSchema, ...errors('HUB_ERR_HOUSEHOLD_UNKNOWN') },
        },
      },
      async (request) => {
        const household = await registry.households.get(request.params.id);
        if (!household) throw new HubError('HUB_ERR_HOUSEHOLD_UNKNOWN');
        return { ...(await view.status(household)), serverTime: ctx.clock.now() };
      },
    );
  };
}
