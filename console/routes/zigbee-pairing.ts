import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { KnownZigbeeDevice } from '../../ingest/store/types.ts';
import { HubError } from '../../kernel/errors.ts';
import type { Device as DeviceRecord, Gateway } from '../../kernel/registry/types.ts';
import * as X from '../api-examples.ts';
import { ADMIN, type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import { PendingZigbeeDevice, ZigbeeProvisioned } from '../response-schemas.ts';
import {
  DeviceTypeSchema,
  FriendlyName,
  GatewayIdParams,
  ListOf,
  Nullable,
  OperatorId,
  RoomSchema,
  SECURED,
  SosActions,
  withExample,
} from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { checkPlacement } from './devices.ts';
import { found } from './lookups.ts';

const tags = ['gateways'];
/** Unprovisioned devices listed at most in one answer (a county has a handful pending at any time). */
const LIST_LIMIT = 500;

type Pending = Static<typeof PendingZigbeeDevice>;

const ProvisionBody = withExample(
  T.Object(
    {
      friendlyName: FriendlyName,
      id: OperatorId,
      type: DeviceTypeSchema,
      room: T.Optional(Nullable(RoomSchema)),
      residentId: T.Optional(Nullable(OperatorId)),
      sosActions: T.Optional(Nullable(SosActions)),
    },
    { additionalProperties: false },
  ),
  X.ZIGBEE_PROVISION,
);

/**
 * Pairing (issue 23): the Zigbee devices a gateway's Zigbee2MQTT announced (bridge/devices, bridge/event)
 * that the hub has not provisioned, and provisioning one in a single step.
 */
export function zigbeePairingRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, guard, ingest, clock } = ctx;
    const devices = registry.devices;
    const byGateway: HouseholdScope = {
      household: async (request) => (await devices.getGateway(paramId(request)))?.householdId ?? null,
      notFound: 'HUB_ERR_NOT_FOUND',
    };

    /** The gateway's known devices with no hub device of that friendly name, newest first. */
    const pending = async (gateway: Gateway, known: readonly KnownZigbeeDevice[]): Promise<Pending[]> => {
      const quarantined = await ingest.quarantine.unknownDevices(gateway.id);
      const unprovisioned: KnownZigbeeDevice[] = [];
      for (const k of known)
        if ((await devices.byFriendlyName(gateway.id, k.friendlyName)) === null) unprovisioned.push(k);
      return unprovisioned.map((k) => ({
        ...k,
        householdId: gateway.householdId,
        quarantined: quarantined.get(k.friendlyName) ?? 0,
      }));
    };

    app.get(
      '/zigbee-devices',
      {
        preHandler: guard.requireRole(ADMIN),
        schema: {
          tags,
          summary:
            'Zigbee devices the gateways know (Zigbee2MQTT bridge/devices, bridge/event) and the hub has not provisioned',
          security: SECURED,
          response: { 200: ListOf(PendingZigbeeDevice) },
        },
      },
      async () => {
        const byGatewayId = new Map<string, KnownZigbeeDevice[]>();
        for (const k of await ingest.pairing.list()) {
          const list = byGatewayId.get(k.gatewayId);
          if (list) list.push(k);
          else byGatewayId.set(k.gatewayId, [k]);
        }
        const out: Pending[] = [];
        for (const [gatewayId, known] of byGatewayId) {
          const gateway = await devices.getGateway(gatewayId);
          if (gateway) out.push(...(await pending(gateway, known)));
        }
        return out.sort((a, b) => b.firstSeenAt - a.firstSeenAt).slice(0, LIST_LIMIT);
      },
    );

    app.get(
      '/gateways/:id/zigbee-devices',
      {
        preHandler: guard.requireRole(ADMIN, byGateway),
        schema: {
          tags,
          summary: 'Zigbee devices this gateway knows and the hub has not provisioned',
          security: SECURED,
          params: GatewayIdParams,
          response: { 200: ListOf(PendingZigbeeDevice), ...errors('HUB_ERR_NOT_FOUND') },
        },
      },
      async (request) => {
        const gateway = found(await devices.getGateway(request.params.id));
        return (await pending(gateway, await ingest.pairing.list(gateway.id))).slice(0, LIST_LIMIT);
      },
    );

    app.post(
      '/gateways/:id/zigbee-devices/provision',
      {
        preHandler: guard.requireRole(ADMIN, byGateway),
        schema: {
          tags,
          summary:
            'Provision a Zigbee device this gateway knows, by its friendly name, in one step; its unknown-device quarantine entries are marked resolved',
          security: SECURED,
          params: GatewayIdParams,
          body: ProvisionBody,
          response: {
            201: ZigbeeProvisioned,
            ...errors(
              { code: 'HUB_ERR_NOT_FOUND', note: 'no such gateway' },
              { code: 'HUB_ERR_NOT_FOUND', message: 'gateway gw-0001 knows no Zigbee device bedroom-pir' },
              {
                code: 'HUB_ERR_CONFLICT',
                message: 'pir-0002 is already a device or gateway id',
                details: { id: 'pir-0002' },
              },
              { code: 'HUB_ERR_CONFLICT', message: 'gateway gw-0001 already has a device named bedroom-pir' },
            ),
          },
        },
      },
      async (request, reply) => {
        const gateway = found(await devices.getGateway(request.params.id));
        const b = request.body;
        const known = (await ingest.pairing.list(gateway.id)).find((k) => k.friendlyName === b.friendlyName);
        if (!known) {
          throw new HubError(
            'HUB_ERR_NOT_FOUND',
            `gateway ${gateway.id} knows no Zigbee device ${b.friendlyName}`,
          );
        }
        const next: DeviceRecord = {
          id: b.id,
          householdId: gateway.householdId,
          type: b.type,
          room: b.room ?? null,
          residentId: b.residentId ?? null,
          gatewayId: gateway.id,
          friendlyName: known.friendlyName,
          sosActions: b.sosActions ?? null,
          enabled: true,
        };
        const at = clock.now();
        const resolution = `provisioned as ${next.id}`;
        // One transaction: checked, the device and the resolved marks, or neither (the quarantine's
        // own transaction is a savepoint of it; a rollback also empties the registry's device cache).
        const resolvedQuarantine = await registry.transaction(async () => {
          if (await registry.mqttIdTaken(b.id)) {
            throw new HubError('HUB_ERR_CONFLICT', `${b.id} is already a device or gateway id`, { id: b.id });
          }
          await checkPlacement(registry, next);
          await devices.upsert(next);
          return ingest.quarantine.resolveUnknownDevice(gateway.id, known.friendlyName, at, resolution);
        });
        request.log.info(
          { deviceId: next.id, gatewayId: gateway.id, ieeeAddress: known.ieeeAddress, resolvedQuarantine },
          'zigbee device provisioned from pairing',
        );
        return reply.code(201).send({ device: found(await devices.get(next.id)), resolvedQuarantine });
      },
    );
  };
}
