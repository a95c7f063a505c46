/**
 * Codec for Zigbee2MQTT payloads a gateway publishes on `eldercare/v1/gw/{gatewayId}/{friendlyName}`
 * (device-protocol.md, Gateways): maps them to the native events and telemetry. Pure: no I/O.
 *
 * Zigbee2MQTT republishes a device's whole state on every change, so `occupancy: true` or
 * `water_leak: true` can arrive again with a battery report; each such payload yields the event again
 * and consumers act on transitions. Zigbee2MQTT has no sequence numbers: seq is always null.
 */
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { MAX_PAYLOAD_BYTES } from '../kernel/contract.ts';
import { asDeviceId, asGatewayId, asHouseholdId } from '../kernel/ids.ts';
import type { Device } from '../kernel/registry/types.ts';
import type { CanonicalMessage, DecodeFailure, DecodeResult, Readings } from './canonical.ts';
import { parseDeviceTime } from './device-time.ts';
import { decodeUtf8, describeViolation, echo, failure, type JsonObject, parseJsonObject } from './payload.ts';
import { DEFAULT_BUTTON_ACTIONS, ZigbeeAvailability, ZigbeeDevicePayload } from './schemas.ts';

export interface GatewayRef {
  id: string;
  householdId: string;
}

/** Finds the device provisioned with this Zigbee2MQTT friendly name behind the gateway, or null. */
export type DeviceLookup = (friendlyName: string) => Device | null;

const checkDevicePayload = TypeCompiler.Compile(ZigbeeDevicePayload);
const checkAvailability = TypeCompiler.Compile(ZigbeeAvailability);

/**
 * Decodes one Zigbee2MQTT device state publish into 0, 1 or 2 messages: an event (occupancy, water_leak,
 * a button action) and/or telemetry (battery, battery_low, tamper, linkquality). A payload with neither,
 * such as a button's `double` action, decodes to no messages and is not an error.
 */
export function decodeZigbee(
  gateway: GatewayRef,
  friendlyName: string,
  lookup: DeviceLookup,
  payload: Uint8Array,
  receivedAt: number,
): DecodeResult {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return failure('too_large', `payload: ${payload.byteLength} bytes, limit ${MAX_PAYLOAD_BYTES}`);
  }
  const found = findDevice(gateway, friendlyName, lookup);
  if (!found.ok) return found;
  const device = found.device;
  const parsed = parseJsonObject(payload);
  if (!parsed.ok) return parsed;
  const raw = parsed.value;
  if (!checkDevicePayload.Check(raw)) {
    return failure('invalid_payload', describeViolation(checkDevicePayload, ZigbeeDevicePayload, raw));
  }

  const messages: CanonicalMessage[] = [];
  // A button's own list of SOS actions (provisioned per device), else the protocol's default list.
  const eventName = zigbeeEventName(device, raw, device.sosActions ?? DEFAULT_BUTTON_ACTIONS);
  if (eventName !== null) {
    const common = base(gateway, friendlyName, device, raw, receivedAt);
    messages.push({ ...common, channel: 'event', event: { name: eventName } });
  }
  const readings = zigbeeReadings(raw);
  if (readings !== null) {
    messages.push({
      ...base(gateway, friendlyName, device, raw, receivedAt),
      channel: 'telemetry',
      readings,
    });
  }
  return { ok: true, messages };
}

/**
 * Zigbee2MQTT's per-device availability (`{friendlyName}/availability`, same forms as bridge/state),
 * as the device's status message.
 */
export function decodeZigbeeAvailability(
  gateway: GatewayRef,
  friendlyName: string,
  lookup: DeviceLookup,
  payload: Uint8Array,
  receivedAt: number,
): DecodeResult {
  const found = findDevice(gateway, friendlyName, lookup);
  if (!found.ok) return found;
  const state = decodeBridgeState(payload);
  if (!state.ok) return state;
  const message = base(gateway, friendlyName, found.device, {}, receivedAt);
  return { ok: true, messages: [{ ...message, channel: 'status', status: state.state }] };
}

/**
 * The gateway's own status on `…/bridge/state`: Zigbee2MQTT's plain string `online`/`offline` (older
 * releases) or JSON `{"state":"online"}` (a JSON string `"online"` is accepted too), or a Mosquitto
 * bridge's connection notification `1`/`0` (its `notification_topic`, or its default
 * `$SYS/broker/connection/{id}/state` as the broker maps it, see broker/bridge-notifications.ts).
 */
export function decodeBridgeState(
  payload: Uint8Array,
): { ok: true; state: 'online' | 'offline' } | DecodeFailure {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return failure('too_large', `payload: ${payload.byteLength} bytes, limit ${MAX_PAYLOAD_BYTES}`);
  }
  const text = decodeUtf8(payload)?.trim();
  if (text === undefined) return failure('invalid_json', 'payload: not valid UTF-8');
  if (text === 'online' || text === 'offline') return { ok: true, state: text };
  if (text === '1' || text === '0') return { ok: true, state: text === '1' ? 'online' : 'offline' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // Neither a bare word nor JSON: the detail names what is accepted.
    return failure('invalid_json', 'state: must be online, offline, 1, 0 or {"state":"online"|"offline"}');
  }
  if (value === 'online' || value === 'offline') return { ok: true, state: value };
  if (checkAvailability.Check(value)) return { ok: true, state: value.state };
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return failure('invalid_payload', describeViolation(checkAvailability, ZigbeeAvailability, value));
  }
  return failure('invalid_payload', 'state: must be online, offline, 1, 0 or {"state":"online"|"offline"}');
}

function findDevice(
  gateway: GatewayRef,
  friendlyName: string,
  lookup: DeviceLookup,
): { ok: true; device: Device } | DecodeFailure {
  const device = lookup(friendlyName);
  // A lookup that strays into another household must not attribute the message there.
  if (device === null || device.householdId !== gateway.householdId) {
    return failure(
      'unknown_device',
      `friendlyName: ${echo(friendlyName)} is not provisioned in this household`,
    );
  }
  return { ok: true, device };
}

/** The mapping table of the protocol's Gateways section, one row per device type. */
function zigbeeEventName(
  device: Device,
  value: ZigbeeDevicePayload,
  buttonActions: readonly string[],
): string | null {
  switch (device.type) {
    case 'motion':
      return typeof value.occupancy === 'boolean' ? (value.occupancy ? 'motion' : 'clear') : null;
    case 'leak':
      return typeof value.water_leak === 'boolean' ? (value.water_leak ? 'leak' : 'dry') : null;
    case 'button':
      return typeof value.action === 'string' && buttonActions.includes(value.action) ? 'sos' : null;
    default:
      return null;
  }
}

/** battery, battery_low, tamper, linkquality (any type); null when none is present. */
function zigbeeReadings(value: ZigbeeDevicePayload): Readings | null {
  const readings: Readings = {};
  if (typeof value.battery === 'number') readings.battery = value.battery;
  if (typeof value.battery_low === 'boolean') readings.batteryLow = value.battery_low;
  if (typeof value.tamper === 'boolean') readings.tamper = value.tamper;
  if (typeof value.linkquality === 'number') readings.linkquality = value.linkquality;
  return Object.keys(readings).length > 0 ? readings : null;
}

/** The fields every message from this Zigbee device shares; channel-specific fields are set by the caller. */
function base(
  gateway: GatewayRef,
  friendlyName: string,
  device: Device,
  raw: JsonObject,
  receivedAt: number,
): CanonicalMessage {
  return {
    deviceId: asDeviceId(device.id),
    householdId: asHouseholdId(device.householdId),
    deviceType: device.type,
    room: device.room,
    channel: 'telemetry',
    event: null,
    readings: null,
    status: null,
    // Zigbee2MQTT's optional `last_seen` (ISO 8601 or epoch ms, per its `advanced.last_seen` setting) is
    // the gateway's clock for this device; anything else there is ignored, it is not our protocol's field.
    deviceTime: parseDeviceTime(raw.last_seen),
    receivedAt,
    seq: null,
    source: 'zigbee',
    gatewayId: asGatewayId(gateway.id),
    friendlyName,
  };
}
