import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import { ADMIN, HOUSEHOLD_READERS, type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { Contact, ContactWrite, ERROR_RESPONSES, IdParams, NumericIdParams, SECURED } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found } from './lookups.ts';

const tags = ['contacts'];

/** Emergency contacts of a household, called in order of priority (1 first). */
export function contactRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { guard, registry } = ctx;
    const households = registry.households;
    const byHousehold: HouseholdScope = { household: paramId, notFound: 'HUB_ERR_HOUSEHOLD_UNKNOWN' };
    const byContact: HouseholdScope = {
      household: async (request) =>
        (await households.getContact(Number(paramId(request))))?.householdId ?? null,
      notFound: 'HUB_ERR_NOT_FOUND',
    };

    app.get(
      '/households/:id/contacts',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byHousehold),
        schema: {
          tags,
          summary: 'Emergency contacts of a household, by priority',
          security: SECURED,
          params: IdParams,
          response: { 200: T.Array(Contact), ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const household = found(await households.get(request.params.id), 'HUB_ERR_HOUSEHOLD_UNKNOWN');
        return households.contacts(household.id);
      },
    );

    app.post(
      '/households/:id/contacts',
      {
        preHandler: guard.requireRole(ADMIN, byHousehold),
        schema: {
          tags,
          summary: 'Add an emergency contact',
          security: SECURED,
          params: IdParams,
          body: ContactWrite,
          response: { 201: Contact, ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        const contact = await registry.transaction(async () => {
          const household = found(await households.get(request.params.id), 'HUB_ERR_HOUSEHOLD_UNKNOWN');
          return households.addContact({ ...request.body, householdId: household.id });
        });
        return reply.code(201).send(contact);
      },
    );

    app.get(
      '/contacts/:id',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byContact),
        schema: {
          tags,
          summary: 'One emergency contact',
          security: SECURED,
          params: NumericIdParams,
          response: { 200: Contact, ...ERROR_RESPONSES },
        },
      },
      async (request) => found(await households.getContact(request.params.id)),
    );

    app.put(
      '/contacts/:id',
      {
        preHandler: guard.requireRole(ADMIN, byContact),
        schema: {
          tags,
          summary: 'Update an emergency contact (fields left out keep their value)',
          security: SECURED,
          params: NumericIdParams,
          body: ContactWrite,
          response: { 200: Contact, ...ERROR_RESPONSES },
        },
      },
      async (request) => {
        const { name, phone, relation, priority } = request.body;
        return registry.transaction(async () => {
          const contact = found(await households.getContact(request.params.id));
          await households.updateContact({
            ...contact,
            name,
            phone,
            relation: relation ?? contact.relation,
            priority: priority ?? contact.priority,
          });
          return found(await households.getContact(contact.id));
        });
      },
    );

    app.delete(
      '/contacts/:id',
      {
        preHandler: guard.requireRole(ADMIN, byContact),
        schema: {
          tags,
          summary: 'Delete an emergency contact',
          security: SECURED,
          params: NumericIdParams,
          response: { 204: T.Null(), ...ERROR_RESPONSES },
        },
      },
      async (request, reply) => {
        if (!(await households.deleteContact(request.params.id))) throw new HubError('HUB_ERR_NOT_FOUND');
        return reply.code(204).send(null);
      },
    );
  };
}
