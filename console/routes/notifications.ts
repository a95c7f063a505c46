import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { DELIVERY_STATUSES } from '../../alerts/notifications/delivery-log.ts';
import type { Role } from '../../kernel/registry/types.ts';
import * as X from '../api-examples.ts';
import type { RouteContext } from '../context.ts';
import { ListOf, Nullable, SECURED, StringEnum, withExample } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';

const tags = ['notifications'];

/** Who answers for the outbound channels: admins and supervisors. */
const DELIVERY_READERS: readonly Role[] = ['admin', 'supervisor'];

const DeliveryEntry = withExample(
  T.Object({
    id: T.Integer(),
    at: T.Integer({ description: 'epoch ms (hub clock) the delivery was created' }),
    channel: T.String({ description: 'webhook | device' }),
    target: T.String({ description: 'the webhook URL or the device id' }),
    event: T.String({ description: 'incident_opened | incident_escalated | incident_progress' }),
    incidentId: T.String(),
    status: StringEnum(DELIVERY_STATUSES),
    attempts: T.Integer(),
    lastError: Nullable(T.String()),
    nextAttemptAt: Nullable(T.Integer({ description: 'epoch ms of the next retry while pending' })),
    deliveredAt: Nullable(T.Integer({ description: 'epoch ms' })),
  }),
  X.DELIVERY,
);

const DeliveryQuery = T.Object(
  {
    status: T.Optional(StringEnum(DELIVERY_STATUSES)),
    channel: T.Optional(T.String({ minLength: 1, maxLength: 32 })),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    before: T.Optional(T.Integer({ minimum: 1, description: 'entries older than this id (paging)' })),
  },
  { additionalProperties: false },
);

/** The notification delivery log (alerts/notifications/): webhooks and device commands, with attempts. */
export function notificationRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { notificationDeliveries: deliveries } = ctx;
    if (!deliveries) return; // a console started without the notifications room

    app.get(
      '/notifications/deliveries',
      {
        preHandler: ctx.guard.requireRole(DELIVERY_READERS),
        schema: {
          tags,
          summary: 'Deliveries of incident notifications (webhooks, device commands), newest first',
          security: SECURED,
          querystring: DeliveryQuery,
          response: { 200: ListOf(DeliveryEntry) },
        },
      },
      async (request) =>
        deliveries.list({
          limit: request.query.limit ?? 100,
          beforeId: request.query.before,
          status: request.query.status,
          channel: request.query.channel,
        }),
    );
  };
}
