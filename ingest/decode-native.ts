/**
 * Codec for devices that speak the hub's own protocol on `eldercare/v1/{id}/{event|telemetry|status}`
 * (device-protocol.md, Payloads and Bad input). Pure: no I/O, the hub's clock is passed in.
 */
import type { TObject } from '@sinclair/typebox';
import { type TypeCheck, TypeCompiler } from '@sinclair/typebox/compiler';
import {
  DEVICE_PUBLISH_CHANNELS,
  DEVICE_TYPES,
  type DeviceChannel,
  type DeviceType,
} from '../kernel/contract.ts';
import { asDeviceId, asHouseholdId } from '../kernel/ids.ts';
import type { Device } from '../kernel/registry/types.ts';
import type { CanonicalEvent, CanonicalMessage, DecodeResult, Readings } from './canonical.ts';
import { parseDeviceTime } from './device-time.ts';
import { describeViolation, echo, failure, type JsonObject, parseJsonObject, seqOf } from './payload.ts';
import { allowedEvents, SCHEMAS_BY_TYPE } from './schemas.ts';

type Validators = Record<DeviceChannel, TypeCheck<TObject>>;

/** Compiled once at load: one validator per device type and channel. */
const VALIDATORS = new Map<DeviceType, Validators>(
  DEVICE_TYPES.map((type) => {
    const s = SCHEMAS_BY_TYPE[type];
    return [
      type,
      {
        event: TypeCompiler.Compile(s.event),
        telemetry: TypeCompiler.Compile(s.telemetry),
        status: TypeCompiler.Compile(s.status),
      },
    ];
  }),
);

/** Numeric readings a native device may send; a type stores only those its own schema names. */
const NUMBER_READINGS = [
  'battery',
  'rssi',
  'heartRate',
  'spo2',
  'steps',
  'lat',
  'lon',
  'accuracy',
  'totalLiters',
  'flowLpm',
] as const;
const BOOLEAN_READINGS = ['tamper'] as const;

function isDeviceChannel(channel: string): channel is DeviceChannel {
  return (DEVICE_PUBLISH_CHANNELS as readonly string[]).includes(channel);
}

/**
 * Decodes one publish of a provisioned device. The device (from the authenticated client id) gives the
 * type, household and room; the payload never does.
 */
export function decodeNative(
  device: Device,
  channel: string,
  payload: Uint8Array,
  receivedAt: number,
): DecodeResult {
  const parsed = parseJsonObject(payload);
  if (!parsed.ok) return parsed;
  const value = parsed.value;
  const seq = seqOf(value);

  if (!isDeviceChannel(channel)) {
    return failure('invalid_payload', `channel: ${echo(channel)} is not event, telemetry or status`, seq);
  }
  const validators = VALIDATORS.get(device.type);
  if (!validators) {
    return failure('invalid_payload', `type: ${echo(String(device.type))} is not a known device type`, seq);
  }

  // An event name the type does not have is its own error code, reported before any other field.
  if (
    channel === 'event' &&
    typeof value.event === 'string' &&
    !allowedEvents(device.type).includes(value.event)
  ) {
    const allowed = allowedEvents(device.type).join(', ');
    return failure(
      'unknown_event',
      `event: ${echo(value.event)} is not a ${device.type} event (${allowed})`,
      seq,
    );
  }

  const schema = SCHEMAS_BY_TYPE[device.type][channel];
  const check = validators[channel];
  if (!check.Check(value)) return failure('invalid_payload', describeViolation(check, schema, value), seq);

  // The schema checks the shape of `ts`; the calendar (month 13, 31 April) is checked here.
  const deviceTime = parseDeviceTime(value.ts);
  if (value.ts !== undefined && deviceTime === null) {
    return failure('invalid_payload', 'ts: must be a valid ISO 8601 time or epoch ms ≥ 0', seq);
  }

  const message: CanonicalMessage = {
    deviceId: asDeviceId(device.id),
    householdId: asHouseholdId(device.householdId),
    deviceType: device.type,
    room: device.room,
    channel,
    event: null,
    readings: null,
    status: null,
    deviceTime,
    receivedAt,
    seq,
    source: 'native',
    gatewayId: null,
    friendlyName: null,
  };
  if (channel === 'event') message.event = pickEvent(schema, value);
  else if (channel === 'telemetry') message.readings = pickReadings(schema, value);
  else message.status = value.state === 'offline' ? 'offline' : 'online';
  return { ok: true, messages: [message] };
}

/** The event's name and the extras its type's schema names; nothing else from the payload. */
function pickEvent(schema: TObject, value: JsonObject): CanonicalEvent {
  const event: CanonicalEvent = { name: String(value.event) };
  if (Object.hasOwn(schema.properties, 'confidence') && typeof value.confidence === 'number') {
    event.confidence = value.confidence;
  }
  if (Object.hasOwn(schema.properties, 'minutes') && typeof value.minutes === 'number')
    event.minutes = value.minutes;
  return event;
}

/**
 * The readings the device type's schema names. A field another type has (heartRate from a leak sensor)
 * is tolerated in the payload but not stored, so it cannot pass for a measurement.
 */
function pickReadings(schema: TObject, value: JsonObject): Readings {
  const readings: Readings = {};
  for (const name of NUMBER_READINGS) {
    const v = value[name];
    if (Object.hasOwn(schema.properties, name) && typeof v === 'number') readings[name] = v;
  }
  for (const name of BOOLEAN_READINGS) {
    const v = value[name];
    if (Object.hasOwn(schema.properties, name) && typeof v === 'boolean') readings[name] = v;
  }
  return readings;
}
