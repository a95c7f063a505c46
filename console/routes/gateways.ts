import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import { generateSecret } from '../../kernel/secrets.ts';
import * as X from '../api-examples.ts';
import { ADMIN, HOUSEHOLD_READERS, type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { caseOf, errors } from '../error-responses.ts';
import { invalidField } from '../errors.ts';
import { GatewayCreated } from '../response-schemas.ts';
import {
  Gateway,
  GatewayCreate,
  GatewayIdParams,
  GatewayUpdate,
  ListOf,
  OperatorId,
  RotatedSecret,
  SECURED,
  withExample,
} from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found, householdInBody, NO_STORE } from './lookups.ts';

const tags = ['gateways'];

/** A gateway's household must exist (householdInBody). */
const NO_HOUSEHOLD = caseOf(invalidField('/householdId', 'names no household (hh-0009)'));

/** Zigbee2MQTT gateways: like devices, a secret answered once and stored only as its hash. */
export function gatewayRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, guard } = ctx;
    const devices = registry.devices;
    const byGateway: HouseholdScope = {
      household: async (request) => (await devices.getGateway(paramId(request)))?.householdId ?? null,
      notFound: 'HUB_ERR_NOT_FOUND',
    };
    const byQuery: HouseholdScope = {
      household: (request) => (request.query as { householdId?: string }).householdId,
      notFound: 'HUB_ERR_HOUSEHOLD_UNKNOWN',
    };
    const devicesBehind = async (gatewayId: string) =>
      (await devices.list()).filter((d) => d.gatewayId === gatewayId);

    app.get(
      '/gateways',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byQuery),
        schema: {
          tags,
          summary: 'Gateways the user may see, optionally of one household',
          security: SECURED,
          querystring: T.Object({ householdId: T.Optional(withExample(OperatorId, X.HOUSEHOLD.id)) }),
          response: { 200: ListOf(Gateway), ...errors('HUB_ERR_HOUSEHOLD_UNKNOWN') },
        },
      },
      async (request) => {
        const { householdId } = request.query;
        if (householdId === undefined)
          return devices.listGateways(guard.visibleHouseholds(guard.userOf(request)));
        found(await registry.households.get(householdId), 'HUB_ERR_HOUSEHOLD_UNKNOWN');
        return devices.listGateways([householdId]);
      },
    );

    app.get(
      '/gateways/:id',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byGateway),
        schema: {
          tags,
          summary: 'One gateway (never its secret)',
          security: SECURED,
          params: GatewayIdParams,
          response: { 200: Gateway, ...errors('HUB_ERR_NOT_FOUND') },
        },
      },
      async (request) => found(await devices.getGateway(request.params.id)),
    );

    app.post(
      '/gateways',
      {
        preHandler: guard.requireRole(ADMIN),
        schema: {
          tags,
          summary: 'Register a gateway; answers its MQTT secret once',
          security: SECURED,
          body: GatewayCreate,
          response: {
            201: GatewayCreated,
            ...errors(NO_HOUSEHOLD, {
              code: 'HUB_ERR_CONFLICT',
              message: 'gw-0001 is already a device or gateway id',
              details: { id: 'gw-0001' },
            }),
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const secret = generateSecret();
        const secretHash = devices.secrets.hash(body.id, secret);
        // Checked and written in one transaction: two creates of one id cannot both pass.
        const gateway = await registry.transaction(async () => {
          if (await registry.mqttIdTaken(body.id)) {
            throw new HubError('HUB_ERR_CONFLICT', `${body.id} is already a device or gateway id`, {
              id: body.id,
            });
          }
          await householdInBody(registry, body.householdId);
          await devices.upsertGateway(body, secretHash);
          return found(await devices.getGateway(body.id));
        });
        request.log.info({ gatewayId: body.id, householdId: body.householdId }, 'gateway registered');
        return reply.code(201).headers(NO_STORE).send({ gateway, secret });
      },
    );

    app.put(
      '/gateways/:id',
      {
        preHandler: guard.requireRole(ADMIN, byGateway),
        schema: {
          tags,
          summary: 'Update a gateway (fields left out keep their value)',
          security: SECURED,
          params: GatewayIdParams,
          body: GatewayUpdate,
          response: {
            200: Gateway,
            ...errors('HUB_ERR_NOT_FOUND', NO_HOUSEHOLD, {
              code: 'HUB_ERR_CONFLICT',
              message: 'gateway gw-0001 has devices; move or delete them first',
            }),
          },
        },
      },
      async (request) => {
        return registry.transaction(async () => {
          const existing = found(await devices.getGateway(request.params.id));
          const householdId = request.body.householdId ?? existing.householdId;
          await householdInBody(registry, householdId);
          if (householdId !== existing.householdId && (await devicesBehind(existing.id)).length > 0) {
            throw new HubError(
              'HUB_ERR_CONFLICT',
              `gateway ${existing.id} has devices; move or delete them first`,
            );
          }
          await devices.upsertGateway({
            id: existing.id,
            householdId,
            enabled: request.body.enabled ?? existing.enabled,
          });
          return found(await devices.getGateway(existing.id));
        });
      },
    );

    app.post(
      '/gateways/:id/secret',
      {
        preHandler: guard.requireRole(ADMIN, byGateway),
        schema: {
          tags,
          summary: 'Rotate the MQTT secret of a gateway; answers the new one once, the old one stops working',
          security: SECURED,
          params: GatewayIdParams,
          response: {
            200: withExample(RotatedSecret, { id: X.GATEWAY.id, secret: X.SECRET }),
            ...errors('HUB_ERR_NOT_FOUND'),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const secret = generateSecret();
        await registry.transaction(async () => {
          const gateway = found(await devices.getGateway(id));
          await devices.upsertGateway(gateway, devices.secrets.hash(id, secret));
        });
        request.log.info({ gatewayId: id }, 'gateway secret rotated');
        return reply.headers(NO_STORE).send({ id, secret });
      },
    );

    app.delete(
      '/gateways/:id',
      {
        preHandler: guard.requireRole(ADMIN, byGateway),
        schema: {
          tags,
          summary: 'Delete a gateway (its devices first); its credentials stop working at once',
          security: SECURED,
          params: GatewayIdParams,
          response: {
            204: T.Null(),
            ...errors('HUB_ERR_NOT_FOUND', {
              code: 'HUB_ERR_CONFLICT',
              message: 'gateway gw-0001 still has devices; delete them first',
              details: { devices: 1 },
            }),
          },
        },
      },
      async (request, reply) => {
        const gateway = await registry.transaction(async () => {
          const gateway = found(await devices.getGateway(request.params.id));
          const behind = (await devicesBehind(gateway.id)).length;
          if (behind > 0) {
            throw new HubError(
              'HUB_ERR_CONFLICT',
              `gateway ${gateway.id} still has devices; delete them first`,
              {
                devices: behind,
              },
            );
          }
          await devices.deleteGateway(gateway.id);
          return gateway;
        });
        request.log.info({ gatewayId: gateway.id }, 'gateway deleted');
        return reply.code(204).send(null);
      },
    );
  };
}
