import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import * as X from '../api-examples.ts';
import { DISPATCH } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { ListOf, Nullable, SECURED, withExample } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';

const tags = ['intake'];

const QuarantineEntry = withExample(
  T.Object({
    id: T.Integer(),
    at: T.Integer({ description: 'epoch ms, hub clock' }),
    clientId: T.String({ description: 'the MQTT client that sent it (device or gateway)' }),
    deviceId: Nullable(T.String()),
    topic: T.String(),
    code: T.String({
      description: 'invalid_json, too_large, invalid_payload, unknown_event, rate_limited, unknown_device',
    }),
    detail: T.String(),
    seq: Nullable(T.Integer()),
    size: T.Integer({ description: 'bytes of the original payload' }),
    payload: T.String({ description: 'the original payload as UTF-8 text' }),
    resolvedAt: Nullable(
      T.Integer({
        description: 'epoch ms an operator dealt with it (an unknown Zigbee device provisioned); null: open',
      }),
    ),
    resolution: Nullable(T.String({ description: 'how, e.g. "provisioned as z-leak-0002"' })),
  }),
  X.QUARANTINE_ENTRY,
);

const QuarantineQuery = T.Object(
  {
    device: T.Optional(T.String({ minLength: 1, maxLength: 64, description: 'device or gateway id' })),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 1000, default: 100 })),
    before: T.Optional(T.Integer({ minimum: 1, description: 'entries older than this id (paging)' })),
  },
  { additionalProperties: false },
);

const Fault = withExample(
  T.Object({
    deviceId: T.String(),
    count: T.Integer({ description: 'bad messages counted since provisioning' }),
    lastCode: T.String(),
    lastAt: T.Integer({ description: 'epoch ms' }),
    flaggedAt: Nullable(T.Integer({ description: 'epoch ms the device was flagged as faulty' })),
  }),
  X.FAULT,
);

const PresenceEntry = withExample(
  T.Object({
    clientId: T.String(),
    kind: T.String(),
    state: T.String({ description: 'online, offline or unknown' }),
    lastSeenAt: Nullable(T.Integer()),
    deadlineAt: Nullable(T.Integer({ description: 'heartbeat deadline, epoch ms' })),
    silentSince: Nullable(T.Integer()),
  }),
  X.PRESENCE,
);

/** What the durable intake kept aside, and who is online: for operators (dispatch center and admins). */
export function intakeRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { guard, ingest } = ctx;

    app.get(
      '/quarantine',
      {
        preHandler: guard.requireRole(DISPATCH),
        schema: {
          tags,
          summary: 'Quarantined device input with its reason, newest first, optionally for one device',
          security: SECURED,
          querystring: QuarantineQuery,
          response: { 200: ListOf(QuarantineEntry) },
        },
      },
      (request) =>
        ingest.store.listQuarantine({
          limit: request.query.limit ?? 100,
          ...(request.query.device ? { deviceId: request.query.device } : {}),
          ...(request.query.before ? { beforeId: request.query.before } : {}),
        }),
    );

    app.get(
      '/device-faults',
      {
        preHandler: guard.requireRole(DISPATCH),
        schema: {
          tags,
          summary: 'Per-device bad-input counters; flaggedAt is set once a device is flagged as faulty',
          security: SECURED,
          response: { 200: ListOf(Fault) },
        },
      },
      () => ingest.store.faults(),
    );

    app.get(
      '/presence',
      {
        preHandler: guard.requireRole(DISPATCH),
        schema: {
          tags,
          summary: 'Online/offline state, last message and heartbeat deadline of every device and gateway',
          security: SECURED,
          response: { 200: ListOf(PresenceEntry) },
        },
      },
      () => ingest.presence.list(),
    );
  };
}
