import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import * as X from '../api-examples.ts';
import { ADMIN, HOUSEHOLD_READERS, type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import { Contact, ContactWrite, HouseholdIdParams, ListOf, numericIdParams, SECURED } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found } from './lookups.ts';

const tags = ['contacts'];
const ContactIdParams = numericIdParams(X.CONTACT.id);

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
          params: HouseholdIdParams,
          response: { 200: ListOf(Contact), ...errors('HUB_ERR_HOUSEHOLD_UNKNOWN') },
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
          params: HouseholdIdParams,
          body: ContactWrite,
          response: { 201: Contact, ...errors('HUB_ERR_HOUSEHOLD_UNKNOWN') },
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
          params: ContactIdParams,
          response: { 200: Contact, ...errors('HUB_ERR_NOT_FOUND') },
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
          params: ContactIdParams,
          body: ContactWrite,
          response: { 200: Contact, ...errors('HUB_ERR_NOT_FOUND') },
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
          params: ContactIdParams,
          response: { 204: T.Null(), ...errors('HUB_ERR_NOT_FOUND') },
        },
      },
      async (request, reply) => {
        if (!(await households.deleteContact(request.params.id))) throw new HubError('HUB_ERR_NOT_FOUND');
        return reply.code(204).send(null);
      },
    );
  };
}
