import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import { ADMIN, HOUSEHOLD_READERS, type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import {
  Household,
  HouseholdCreate,
  HouseholdDetail,
  HouseholdIdParams,
  HouseholdWrite,
  ListOf,
  SECURED,
} from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found } from './lookups.ts';

const tags = ['households'];

/** Households: the dispatch center reads all, a family its own (read-only), the admin writes. */
export function householdRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, guard } = ctx;
    const households = registry.households;
    const byParam: HouseholdScope = { household: paramId, notFound: 'HUB_ERR_HOUSEHOLD_UNKNOWN' };

    app.get(
      '/households',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS),
        schema: {
          tags,
          summary: 'Households the user may see',
          security: SECURED,
          response: { 200: ListOf(Household) },
        },
      },
      async (request) => households.list(guard.visibleHouseholds(guard.userOf(request))),
    );

    app.get(
      '/households/:id',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byParam),
        schema: {
          tags,
          summary: 'One household with its residents, contacts, devices and gateways',
          security: SECURED,
          params: HouseholdIdParams,
          response: { 200: HouseholdDetail, ...errors('HUB_ERR_HOUSEHOLD_UNKNOWN') },
        },
      },
      async (request) => {
        const household = found(await households.get(request.params.id), 'HUB_ERR_HOUSEHOLD_UNKNOWN');
        const ids = [household.id];
        return {
          ...household,
          residents: await households.residents(household.id),
          contacts: await households.contacts(household.id),
          devices: await registry.devices.list(ids),
          gateways: await registry.devices.listGateways(ids),
        };
      },
    );

    app.post(
      '/households',
      {
        preHandler: guard.requireRole(ADMIN),
        schema: {
          tags,
          summary: 'Create a household',
          security: SECURED,
          body: HouseholdCreate,
          response: {
            201: Household,
            ...errors({ code: 'HUB_ERR_CONFLICT', message: 'household hh-0001 already exists' }),
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const created = await registry.transaction(async () => {
          if (await households.get(body.id))
            throw new HubError('HUB_ERR_CONFLICT', `household ${body.id} already exists`);
          await households.upsert(body);
          return found(await households.get(body.id));
        });
        return reply.code(201).send(created);
      },
    );

    app.put(
      '/households/:id',
      {
        preHandler: guard.requireRole(ADMIN, byParam),
        schema: {
          tags,
          summary: 'Update a household (fields left out keep their value)',
          security: SECURED,
          params: HouseholdIdParams,
          body: HouseholdWrite,
          response: { 200: Household, ...errors('HUB_ERR_HOUSEHOLD_UNKNOWN') },
        },
      },
      async (request) => {
        const { id } = request.params;
        return registry.transaction(async () => {
          found(await households.get(id), 'HUB_ERR_HOUSEHOLD_UNKNOWN');
          await households.upsert({ id, ...request.body });
          return found(await households.get(id));
        });
      },
    );

    app.delete(
      '/households/:id',
      {
        preHandler: guard.requireRole(ADMIN, byParam),
        schema: {
          tags,
          summary: 'Delete a household with its residents and contacts (its devices and gateways first)',
          security: SECURED,
          params: HouseholdIdParams,
          response: {
            204: T.Null(),
            ...errors('HUB_ERR_HOUSEHOLD_UNKNOWN', {
              code: 'HUB_ERR_CONFLICT',
              message: 'household hh-0001 still has devices or gateways; delete them first',
              details: { devices: 2, gateways: 1 },
            }),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        await registry.transaction(async () => {
          found(await households.get(id), 'HUB_ERR_HOUSEHOLD_UNKNOWN');
          // Devices and gateways are deleted one by one through the device store, which tells the broker
          // their credentials are gone; a cascading delete would leave them cached there.
          const devices = (await registry.devices.list([id])).length;
          const gateways = (await registry.devices.listGateways([id])).length;
          if (devices > 0 || gateways > 0) {
            throw new HubError(
              'HUB_ERR_CONFLICT',
              `household ${id} still has devices or gateways; delete them first`,
              {
                devices,
                gateways,
              },
            );
          }
          await households.delete(id);
        });
        return reply.code(204).send(null);
      },
    );
  };
}
