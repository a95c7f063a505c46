import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import type { Device as DeviceRecord } from '../../kernel/registry/types.ts';
import { generateSecret } from '../../kernel/secrets.ts';
import * as X from '../api-examples.ts';
import { ADMIN, HOUSEHOLD_READERS, type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { caseOf, errors } from '../error-responses.ts';
import { invalidField } from '../errors.ts';
import { DeviceCreated } from '../response-schemas.ts';
import {
  Device,
  DeviceCreate,
  DeviceIdParams,
  DeviceUpdate,
  ListOf,
  OperatorId,
  RotatedSecret,
  SECURED,
  withExample,
} from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found, householdInBody, NO_STORE } from './lookups.ts';

const tags = ['devices'];

/** The handler's answers about where a device sits (checkPlacement). */
const MISPLACED = caseOf(
  invalidField('/gatewayId', 'names no gateway of household hh-0001'),
  'its household, resident and gateway must exist and belong together',
);
const NAME_TAKEN = caseOf(
  new HubError('HUB_ERR_CONFLICT', 'gateway gw-0001 already has a device named bathroom-leak'),
);

/**
 * Where a device sits must hold together: its household exists, its resident lives there, and a Zigbee
 * device's gateway is in the same household with the friendly name free. 400 naming the field, 409 for a
 * friendly name already taken.
 */
export async function checkPlacement(registry: Registry, d: DeviceRecord): Promise<void> {
  await householdInBody(registry, d.householdId);
  if (
    d.residentId !== null &&
    (await registry.households.getResident(d.residentId))?.householdId !== d.householdId
  ) {
    throw invalidField('/residentId', `names no resident of household ${d.householdId}`);
  }
  if (d.sosActions !== null && (d.type !== 'button' || d.gatewayId === null)) {
    throw invalidField('/sosActions', 'is only for a button behind a gateway (Zigbee2MQTT action values)');
  }
  if (d.gatewayId === null) {
    if (d.friendlyName !== null)
      throw invalidField('/friendlyName', 'is only for a device behind a gateway (gatewayId)');
    return;
  }
  if ((await registry.devices.getGateway(d.gatewayId))?.householdId !== d.householdId) {
    throw invalidField('/gatewayId', `names no gateway of household ${d.householdId}`);
  }
  if (d.friendlyName === null)
    throw invalidField('/friendlyName', 'is required for a device behind a gateway');
  // Zigbee2MQTT publishes its own state under `bridge/`.
  if (d.friendlyName === 'bridge' || d.friendlyName.startsWith('bridge/')) {
    throw invalidField('/friendlyName', 'bridge is reserved by Zigbee2MQTT');
  }
  const holder = await registry.devices.byFriendlyName(d.gatewayId, d.friendlyName);
  if (holder && holder.id !== d.id) {
    throw new HubError(
      'HUB_ERR_CONFLICT',
      `gateway ${d.gatewayId} already has a device named ${d.friendlyName}`,
    );
  }
}

/**
 * Devices. A device that connects itself gets a secret, answered once on create or rotation and stored
 * only as its scrypt hash; a Zigbee device behind a gateway has none.
 */
export function deviceRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, guard } = ctx;
    const devices = registry.devices;
    const byDevice: HouseholdScope = {
      household: async (request) => (await devices.get(paramId(request)))?.householdId ?? null,
      notFound: 'HUB_ERR_DEVICE_UNKNOWN',
    };
    const byQuery: HouseholdScope = {
      household: (request) => (request.query as { householdId?: string }).householdId,
      notFound: 'HUB_ERR_HOUSEHOLD_UNKNOWN',
    };

    app.get(
      '/devices',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byQuery),
        schema: {
          tags,
          summary: 'Devices the user may see, optionally of one household',
          security: SECURED,
          querystring: T.Object({ householdId: T.Optional(withExample(OperatorId, X.HOUSEHOLD.id)) }),
          response: { 200: ListOf(Device), ...errors('HUB_ERR_HOUSEHOLD_UNKNOWN') },
        },
      },
      async (request) => {
        const { householdId } = request.query;
        if (householdId === undefined) return devices.list(guard.visibleHouseholds(guard.userOf(request)));
        found(await registry.households.get(householdId), 'HUB_ERR_HOUSEHOLD_UNKNOWN');
        return devices.list([householdId]);
      },
    );

    app.get(
      '/devices/:id',
      {
        preHandler: guard.requireRole(HOUSEHOLD_READERS, byDevice),
        schema: {
          tags,
          summary: 'One device (never its secret)',
          security: SECURED,
          params: DeviceIdParams,
          response: { 200: Device, ...errors('HUB_ERR_DEVICE_UNKNOWN') },
        },
      },
      async (request) => found(await devices.get(request.params.id), 'HUB_ERR_DEVICE_UNKNOWN'),
    );

    app.post(
      '/devices',
      {
        preHandler: guard.requireRole(ADMIN),
        schema: {
          tags,
          summary:
            'Register a device; answers its MQTT secret once (none for a Zigbee device behind a gateway)',
          security: SECURED,
          body: DeviceCreate,
          response: {
            201: DeviceCreated,
            ...errors(
              MISPLACED,
              {
                code: 'HUB_ERR_CONFLICT',
                message: 'sos-0001 is already a device or gateway id',
                details: { id: 'sos-0001' },
              },
              NAME_TAKEN,
            ),
          },
        },
      },
      async (request, reply) => {
        const body = request.body;
        const next: DeviceRecord = {
          id: body.id,
          householdId: body.householdId,
          type: body.type,
          room: body.room ?? null,
          residentId: body.residentId ?? null,
          gatewayId: body.gatewayId ?? null,
          friendlyName: body.friendlyName ?? null,
          sosActions: body.sosActions ?? null,
          enabled: body.enabled ?? true,
        };
        const secret = next.gatewayId === null ? generateSecret() : null;
        const secretHash = secret === null ? undefined : devices.secrets.hash(next.id, secret);
        // Checked and written in one transaction: two creates of one id cannot both pass.
        const device = await registry.transaction(async () => {
          if (await registry.mqttIdTaken(next.id)) {
            throw new HubError('HUB_ERR_CONFLICT', `${next.id} is already a device or gateway id`, {
              id: next.id,
            });
          }
          await checkPlacement(registry, next);
          await devices.upsert(next, secretHash);
          return found(await devices.get(next.id));
        });
        request.log.info({ deviceId: next.id, householdId: next.householdId }, 'device registered');
        return reply.code(201).headers(NO_STORE).send({ device, secret });
      },
    );

    app.put(
      '/devices/:id',
      {
        preHandler: guard.requireRole(ADMIN, byDevice),
        schema: {
          tags,
          summary: 'Update a device (fields left out keep their value)',
          security: SECURED,
          params: DeviceIdParams,
          body: DeviceUpdate,
          response: {
            200: Device,
            ...errors('HUB_ERR_DEVICE_UNKNOWN', MISPLACED, NAME_TAKEN),
          },
        },
      },
      async (request) => {
        const b = request.body;
        return registry.transaction(async () => {
          const existing = found(await devices.get(request.params.id), 'HUB_ERR_DEVICE_UNKNOWN');
          const next: DeviceRecord = {
            ...existing,
            householdId: b.householdId ?? existing.householdId,
            type: b.type ?? existing.type,
            room: b.room === undefined ? existing.room : b.room,
            residentId: b.residentId === undefined ? existing.residentId : b.residentId,
            friendlyName: b.friendlyName ?? existing.friendlyName,
            sosActions: b.sosActions === undefined ? existing.sosActions : b.sosActions,
            enabled: b.enabled ?? existing.enabled,
          };
          await checkPlacement(registry, next);
          await devices.upsert(next);
          return found(await devices.get(next.id));
        });
      },
    );

    app.post(
      '/devices/:id/secret',
      {
        preHandler: guard.requireRole(ADMIN, byDevice),
        schema: {
          tags,
          summary: 'Rotate the MQTT secret of a device; answers the new one once, the old one stops working',
          security: SECURED,
          params: DeviceIdParams,
          response: {
            200: withExample(RotatedSecret, { id: X.DEVICE.id, secret: X.SECRET }),
            ...errors('HUB_ERR_DEVICE_UNKNOWN', {
              code: 'HUB_ERR_CONFLICT',
              message: "leak-0001 is behind a gateway and has no secret; rotate the gateway's",
            }),
          },
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const secret = generateSecret();
        await registry.transaction(async () => {
          const device = found(await devices.get(id), 'HUB_ERR_DEVICE_UNKNOWN');
          if (device.gatewayId !== null) {
            throw new HubError(
              'HUB_ERR_CONFLICT',
              `${id} is behind a gateway and has no secret; rotate the gateway's`,
            );
          }
          await devices.upsert(device, devices.secrets.hash(id, secret));
        });
        request.log.info({ deviceId: id }, 'device secret rotated');
        return reply.headers(NO_STORE).send({ id, secret });
      },
    );

    app.delete(
      '/devices/:id',
      {
        preHandler: guard.requireRole(ADMIN, byDevice),
        schema: {
          tags,
          summary: 'Delete a device; its credentials stop working at once',
          security: SECURED,
          params: DeviceIdParams,
          response: { 204: T.Null(), ...errors('HUB_ERR_DEVICE_UNKNOWN') },
        },
      },
      async (request, reply) => {
        const deleted = await devices.delete(request.params.id);
        if (!deleted) throw new HubError('HUB_ERR_DEVICE_UNKNOWN');
        request.log.info({ deviceId: request.params.id }, 'device deleted');
        return reply.code(204).send(null);
      },
    );
  };
}
