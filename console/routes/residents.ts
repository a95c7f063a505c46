import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import { ADMIN, HOUSEHOLD_READERS, type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import {
  HouseholdIdParams,
  ListOf,
  Resident,
  ResidentCreate,
  ResidentIdParams,
  ResidentWrite,
  SECURED,
} from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found } from './lookups.ts';

const tags = ['residents'];

/** Residents, listed and created under their household, read and changed by their own id. */
export function residentRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { guard, registry } = ctx;
    const households = registry.households;
    const byHousehold: HouseholdScope = { household: paramId, notFound: 'HUB_ERR_HOUSEHOLD_UNKNOWN' };
    const byResident: HouseholdScope = {
      household: async (request) => (await households.getResident(paramId(request)))?.householdId ?? null,
      notFound: 'HUB_ERR_NOT_FOUND',
    };

    app.get(
      '/households/:id/residents',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byHousehold),
        schema: {
          tags,
          summary: 'Residents of a household',
          security: SECURED,
          params: HouseholdIdParams,
          response: { 200: ListOf(Resident), ...errors('HUB_ERR_HOUSEHOLD_UNKNOWN') },
        },
      },
      async (request) => {
        const household = found(await households.get(request.params.id), 'HUB_ERR_HOUSEHOLD_UNKNOWN');
        return households.residents(household.id);
      },
    );

    app.post(
      '/households/:id/residents',
      {
        preHandler: guard.requireRole(ADMIN, byHousehold),
        schema: {
          tags,
          summary: 'Add a resident to a household',
          security: SECURED,
          params: HouseholdIdParams,
          body: ResidentCreate,
          response: {
            201: Resident,
            ...errors('HUB_ERR_HOUSEHOLD_UNKNOWN', {
              code: 'HUB_ERR_CONFLICT',
              message: 'resident res-0001 already exists',
            }),
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const resident = await registry.transaction(async () => {
          const household = found(await households.get(request.params.id), 'HUB_ERR_HOUSEHOLD_UNKNOWN');
          if (await households.getResident(body.id))
            throw new HubError('HUB_ERR_CONFLICT', `resident ${body.id} already exists`);
          await households.upsertResident({ ...body, householdId: household.id });
          return found(await households.getResident(body.id));
        });
        return reply.code(201).send(resident);
      },
    );

    app.get(
      '/residents/:id',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byResident),
        schema: {
          tags,
          summary: 'One resident',
          security: SECURED,
          params: ResidentIdParams,
          response: { 200: Resident, ...errors('HUB_ERR_NOT_FOUND') },
        },
      },
      async (request) => found(await households.getResident(request.params.id)),
    );

    app.put(
      '/residents/:id',
      {
        preHandler: guard.requireRole(ADMIN, byResident),
        schema: {
          tags,
          summary: 'Update a resident (fields left out keep their value)',
          security: SECURED,
          params: ResidentIdParams,
          body: ResidentWrite,
          response: { 200: Resident, ...errors('HUB_ERR_NOT_FOUND') },
        },
      },
      async (request) => {
        return registry.transaction(async () => {
          const resident = found(await households.getResident(request.params.id));
          await households.upsertResident({
            ...request.body,
            id: resident.id,
            householdId: resident.householdId,
          });
          return found(await households.getResident(resident.id));
        });
      },
    );

    app.delete(
      '/residents/:id',
      {
        preHandler: guard.requireRole(ADMIN, byResident),
        schema: {
          tags,
          summary: 'Delete a resident (their devices stay, unassigned)',
          security: SECURED,
          params: ResidentIdParams,
          response: { 204: T.Null(), ...errors('HUB_ERR_NOT_FOUND') },
        },
      },
      async (request, reply) => {
        if (!(await households.deleteResident(request.params.id))) throw new HubError('HUB_ERR_NOT_FOUND');
        return reply.code(204).send(null);
      },
    );
  };
}
