import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import type { Responder as ResponderRecord } from '../../kernel/registry/types.ts';
import { ADMIN, DISPATCH } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { caseOf, errors } from '../error-responses.ts';
import { invalidField } from '../errors.ts';
import {
  ListOf,
  Responder,
  ResponderCreate,
  ResponderIdParams,
  ResponderWrite,
  SECURED,
} from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found } from './lookups.ts';

const tags = ['responders'];

/** A responder's station and user must exist (toResponder). */
const UNKNOWN_REFERENCE = caseOf(
  invalidField('/stationId', 'names no station (st-0009)'),
  'the station and the user named must exist',
);

type ResponderBody = Omit<ResponderRecord, 'id' | 'phone' | 'grids' | 'stationId' | 'userId'> &
  Partial<Pick<ResponderRecord, 'phone' | 'grids' | 'stationId' | 'userId'>>;

/** A responder's station and user account, when named, must exist. */
async function toResponder(registry: Registry, id: string, b: ResponderBody): Promise<ResponderRecord> {
  const stationId = b.stationId ?? null;
  const userId = b.userId ?? null;
  if (stationId !== null && !(await registry.people.listStations()).some((s) => s.id === stationId)) {
    throw invalidField('/stationId', `names no station (${stationId})`);
  }
  if (userId !== null && !(await registry.people.getUser(userId)))
    throw invalidField('/userId', `names no user (${userId})`);
  return { id, name: b.name, kind: b.kind, phone: b.phone ?? '', grids: b.grids ?? [], stationId, userId };
}

/** Grid workers, station staff and volunteers: read by the dispatch center, written by the admin. */
export function responderRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, guard } = ctx;
    const people = registry.people;

    app.get(
      '/responders',
      {
        preHandler: guard.requireRole(DISPATCH),
        schema: {
          tags,
          summary: 'All responders',
          security: SECURED,
          response: { 200: ListOf(Responder) },
        },
      },
      async () => people.listResponders(),
    );

    app.get(
      '/responders/:id',
      {
        preHandler: guard.requireRole(DISPATCH),
        schema: {
          tags,
          summary: 'One responder',
          security: SECURED,
          params: ResponderIdParams,
          response: { 200: Responder, ...errors('HUB_ERR_NOT_FOUND') },
        },
      },
      async (request) => found(await people.getResponder(request.params.id)),
    );

    app.post(
      '/responders',
      {
        preHandler: guard.requireRole(ADMIN),
        schema: {
          tags,
          summary: 'Create a responder',
          security: SECURED,
          body: ResponderCreate,
          response: {
            201: Responder,
            ...errors(UNKNOWN_REFERENCE, {
              code: 'HUB_ERR_CONFLICT',
              message: 'responder rsp-0001 already exists',
            }),
          },
        },
      },
      async (request, reply) => {
        const { id, ...body } = request.body;
        const responder = await registry.transaction(async () => {
          if (await people.getResponder(id))
            throw new HubError('HUB_ERR_CONFLICT', `responder ${id} already exists`);
          await people.upsertResponder(await toResponder(registry, id, body));
          return found(await people.getResponder(id));
        });
        return reply.code(201).send(responder);
      },
    );

    app.put(
      '/responders/:id',
      {
        preHandler: guard.requireRole(ADMIN),
        schema: {
          tags,
          summary: 'Replace a responder',
          security: SECURED,
          params: ResponderIdParams,
          body: ResponderWrite,
          response: {
            200: Responder,
            ...errors('HUB_ERR_NOT_FOUND', UNKNOWN_REFERENCE),
          },
        },
      },
      async (request) => {
        const { id } = request.params;
        return registry.transaction(async () => {
          found(await people.getResponder(id));
          await people.upsertResponder(await toResponder(registry, id, request.body));
          return found(await people.getResponder(id));
        });
      },
    );

    app.delete(
      '/responders/:id',
      {
        preHandler: guard.requireRole(ADMIN),
        schema: {
          tags,
          summary: 'Delete a responder',
          security: SECURED,
          params: ResponderIdParams,
          response: { 204: T.Null(), ...errors('HUB_ERR_NOT_FOUND') },
        },
      },
      async (request, reply) => {
        if (!(await people.deleteResponder(request.params.id))) throw new HubError('HUB_ERR_NOT_FOUND');
        return reply.code(204).send(null);
      },
    );
  };
}
