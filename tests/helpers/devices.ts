import type { DeviceType, Room } from '../../kernel/contract.ts';
import { SimDevice } from '../../simulators/device.ts';
import { SimGateway } from '../../simulators/gateway.ts';
import type { TestHub } from './hub.ts';

/** Provisions a device in the test hub and connects a simulator for it over TCP. */
export async function connectDevice(
  t: TestHub,
  id: string,
  type: DeviceType,
  opts: { householdId?: string; room?: Room; url?: string } = {},
): Promise<SimDevice> {
  const secret = await t.provisionDevice({ id, type, ...opts });
  return new SimDevice({ url: opts.url ?? t.mqttUrl, id, secret, type }).connect();
}

/** Provisions a gateway with Zigbee devices (friendly name → type/room) and connects it. */
export async function connectGateway(
  t: TestHub,
  id: string,
  zigbee: Record<string, { id: string; type: DeviceType; room?: Room }>,
  householdId = 'hh-test',
): Promise<SimGateway> {
  const secret = await t.provisionGateway({ id, householdId });
  for (const [friendlyName, d] of Object.entries(zigbee)) {
    await t.hub.registry.devices.upsert({
      id: d.id,
      householdId,
      type: d.type,
      room: d.room ?? null,
      gatewayId: id,
      friendlyName,
    });
  }
  return new SimGateway({ url: t.mqttUrl, id, secret }).connect();
}

/** A device's messages in the durable store, oldest first, through the ingest room's queries. */
export async function messagesOf(
  t: TestHub,
  deviceId: string,
): Promise<Array<{ channel: string; seq: number | null; body: Record<string, unknown> }>> {
  return (await t.hub.ingest.queries.messages({ deviceId })).map((m) => ({
    channel: m.channel,
    seq: m.seq,
    body: m.body as unknown as Record<string, unknown>,
  }));
}
