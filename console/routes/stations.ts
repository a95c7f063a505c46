import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import { ADMIN, DISPATCH } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import { ListOf, SECURED, Station, StationCreate, StationIdParams, StationWrite } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found } from './lookups.ts';

const tags = ['stations'];

/**
 * Elder-care stations (助老站) responders work from: read by the dispatch center, written by the admin.
 * No DELETE yet: the registry has no station delete.
 */
export function stationRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, guard } = ctx;
    const people = registry.people;
    const station = async (id: string) => (await people.listStations()).find((s) => s.id === id) ?? null;

    app.get(
      '/stations',
      {
        preHandler: guard.requireRole(DISPATCH),
        schema: {
          tags,
          summary: 'All stations',
          security: SECURED,
          response: { 200: ListOf(Station) },
        },
      },
      async () => people.listStations(),
    );

    app.get(
      '/stations/:id',
      {
        preHandler: guard.requireRole(DISPATCH),
        schema: {
          tags,
          summary: 'One station',
          security: SECURED,
          params: StationIdParams,
          response: { 200: Station, ...errors('HUB_ERR_NOT_FOUND') },
        },
      },
      async (request) => found(await station(request.params.id)),
    );

    app.post(
      '/stations',
      {
        preHandler: guard.requireRole(ADMIN),
        schema: {
          tags,
          summary: 'Create a station',
          security: SECURED,
          body: StationCreate,
          response: {
            201: Station,
            ...errors({ code: 'HUB_ERR_CONFLICT', message: 'station st-0001 already exists' }),
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const created = await registry.transaction(async () => {
          if (await station(body.id))
            throw new HubError('HUB_ERR_CONFLICT', `station ${body.id} already exists`);
          await people.upsertStation(body);
          return found(await station(body.id));
        });
        return reply.code(201).send(created);
      },
    );

    app.put(
      '/stations/:id',
      {
        preHandler: guard.requireRole(ADMIN),
        schema: {
          tags,
          summary: 'Replace a station',
          security: SECURED,
          params: StationIdParams,
          body: StationWrite,
          response: { 200: Station, ...errors('HUB_ERR_NOT_FOUND') },
        },
      },
      async (request) => {
        const { id } = request.params;
        return registry.transaction(async () => {
          found(await station(id));
          await people.upsertStation({ id, ...request.body });
          return found(await station(id));
        });
      },
    );
  };
}
