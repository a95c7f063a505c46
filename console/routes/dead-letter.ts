import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../../kernel/registry/types.ts';
import * as X from '../api-examples.ts';
import type { RouteContext } from '../context.ts';
import { ListOf, Nullable, SECURED, withExample } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';

const tags = ['intake'];

/** Operators who answer for the data path: admins and supervisors. */
const DEAD_LETTER_READERS: readonly Role[] = ['admin', 'supervisor'];

const DeadLetterEntry = withExample(
  T.Object({
    id: T.Integer(),
    at: T.Integer({ description: 'epoch ms (hub clock) it was set aside' }),
    messageId: T.Integer({ description: 'the accepted message (messages.id)' }),
    deviceId: T.String(),
    householdId: T.String(),
    status: Nullable(T.Integer({ description: "InfluxDB's HTTP status; null when no point could be built" })),
    error: T.String({ description: "InfluxDB's error message" }),
    line: T.String({ description: 'the refused line protocol' }),
  }),
  X.DEAD_LETTER,
);

const DeadLetterQuery = T.Object(
  {
    device: T.Optional(T.String({ minLength: 1, maxLength: 64, description: 'device id' })),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    before: T.Optional(T.Integer({ minimum: 1, description: 'entries older than this id (paging)' })),
  },
  { additionalProperties: false },
);

/** Lines InfluxDB refused, kept with its message (the InfluxDB writer's dead letter). */
export function deadLetterRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();

    app.get(
      '/dead-letter',
      {
        preHandler: ctx.guard.requireRole(DEAD_LETTER_READERS),
        schema: {
          tags,
          summary: 'Lines InfluxDB refused, with its error message, newest first',
          security: SECURED,
          querystring: DeadLetterQuery,
          response: { 200: ListOf(DeadLetterEntry) },
        },
      },
      async (request) =>
        ctx.ingest.queries.deadLetters({
          limit: request.query.limit ?? 100,
          deviceId: request.query.device,
          beforeId: request.query.before,
        }),
    );
  };
}
