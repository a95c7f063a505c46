/**
 * Payload schemas of the device protocol (../shared/docs/device-protocol.md, Payloads and Gateways):
 * one per device type and channel, shared by the codecs, the simulators and the tests.
 *
 * Every field schema carries its rule in `description`; the codecs quote it when they reject a payload
 * ("battery: must be a number 0–100"). Objects allow additional properties: the hub tolerates fields the
 * protocol does not name, but the codecs copy only the fields named here.
 */
import { type Static, type TObject, type TSchema, Type } from '@sinclair/typebox';
import type { DeviceType } from '../kernel/contract.ts';
import { ISO_8601_PATTERN, MAX_EPOCH_MS } from './device-time.ts';

/** A union of string literals whose static type is the literal union, with the rule in `description`. */
function OneOf<const T extends readonly string[]>(names: T) {
  return Type.Unsafe<T[number]>(
    Type.Union(
      names.map((n) => Type.Literal(n)),
      { description: `must be one of ${names.join(', ')}` },
    ),
  );
}

// ── Event names per device type ─────────────────────────────────────────────────────────────────

export const BUTTON_EVENTS = ['sos', 'cancel'] as const;
export const WRISTBAND_EVENTS = ['sos', 'fall', 'removed', 'worn'] as const;
export const MOTION_EVENTS = ['motion', 'clear'] as const;
export const LEAK_EVENTS = ['leak', 'dry'] as const;
export const WATER_METER_EVENTS = ['continuous_flow'] as const;

export const EVENTS_BY_TYPE: Readonly<Record<DeviceType, readonly string[]>> = {
  button: BUTTON_EVENTS,
  wristband: WRISTBAND_EVENTS,
  motion: MOTION_EVENTS,
  leak: LEAK_EVENTS,
  water_meter: WATER_METER_EVENTS,
};

/** The event names a device of this type may send; anything else is `unknown_event`. */
export function allowedEvents(type: DeviceType): readonly string[] {
  return EVENTS_BY_TYPE[type];
}

// ── Common fields ───────────────────────────────────────────────────────────────────────────────

/**
 * Increases by one per message from a device; the hub drops duplicates by (id, seq). At most 2^53 − 1:
 * above it JSON numbers lose their last digits (two seqs would read the same), so it is refused.
 */
export const Seq = Type.Integer({
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'must be an integer ≥ 0 and at most 2^53 − 1',
});
/** The device's own clock: ISO 8601 string or epoch ms (see device-time.ts). */
export const DeviceTs = Type.Union(
  [Type.String({ pattern: ISO_8601_PATTERN }), Type.Number({ minimum: 0, maximum: MAX_EPOCH_MS })],
  { description: 'must be an ISO 8601 string or epoch ms ≥ 0' },
);
/** Per cent. */
export const Battery = Type.Number({ minimum: 0, maximum: 100, description: 'must be a number 0–100' });
/** dBm. */
export const Rssi = Type.Number({ description: 'must be a number' });

const common = {
  seq: Type.Optional(Seq),
  ts: Type.Optional(DeviceTs),
  battery: Type.Optional(Battery),
  rssi: Type.Optional(Rssi),
};
/** On `event` the seq is required: it is what makes a resent alarm a duplicate, not a second alarm. */
const eventCommon = { ...common, seq: Seq };

// ── button (一键呼叫) ───────────────────────────────────────────────────────────────────────────

export const ButtonEvent = Type.Object({ ...eventCommon, event: OneOf(BUTTON_EVENTS) });
export type ButtonEvent = Static<typeof ButtonEvent>;
/** Heartbeat at least every 15 min. */
export const ButtonTelemetry = Type.Object({ ...common });
export type ButtonTelemetry = Static<typeof ButtonTelemetry>;

// ── wristband (智能手环) ─────────────────────────────────────────────────────────────────────────

export const WristbandEvent = Type.Object({
  ...eventCommon,
  event: OneOf(WRISTBAND_EVENTS),
  /** The wristband's certainty of a fall, 0–1. */
  confidence: Type.Optional(Type.Number({ minimum: 0, maximum: 1, description: 'must be a number 0–1' })),
});
export type WristbandEvent = Static<typeof WristbandEvent>;
/** At least every 5 min; every field optional. */
export const WristbandTelemetry = Type.Object({
  ...common,
  /** Beats per minute; 300 is above any human heart rate, so a larger value is a sensor fault. */
  heartRate: Type.Optional(Type.Number({ minimum: 0, maximum: 300, description: 'must be a number 0–300' })),
  /** Blood oxygen saturation, per cent. */
  spo2: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'must be a number 0–100' })),
  steps: Type.Optional(Type.Integer({ minimum: 0, description: 'must be an integer ≥ 0' })),
  /** WGS84 degrees. */
  lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90, description: 'must be a number −90–90' })),
  lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180, description: 'must be a number −180–180' })),
  /** Metres. */
  accuracy: Type.Optional(Type.Number({ minimum: 0, description: 'must be a number ≥ 0' })),
});
export type WristbandTelemetry = Static<typeof WristbandTelemetry>;

// ── motion (人体感应探测器) ──────────────────────────────────────────────────────────────────────

export const MotionEvent = Type.Object({ ...eventCommon, event: OneOf(MOTION_EVENTS) });
export type MotionEvent = Static<typeof MotionEvent>;
/** Heartbeat at least every 60 min; `tamper: true` when the case is opened. */
export const MotionTelemetry = Type.Object({
  ...common,
  tamper: Type.Optional(Type.Boolean({ description: 'must be true or false' })),
});
export type MotionTelemetry = Static<typeof MotionTelemetry>;

// ── leak (水浸报警器) ────────────────────────────────────────────────────────────────────────────

export const LeakEvent = Type.Object({ ...eventCommon, event: OneOf(LEAK_EVENTS) });
export type LeakEvent = Static<typeof LeakEvent>;
/** Heartbeat at least every 60 min. */
export const LeakTelemetry = Type.Object({ ...common });
export type LeakTelemetry = Static<typeof LeakTelemetry>;

// ── water_meter (智能水表) ───────────────────────────────────────────────────────────────────────

export const WaterMeterEvent = Type.Object({
  ...eventCommon,
  event: OneOf(WATER_METER_EVENTS),
  /** How long the meter has seen uninterrupted flow, minutes. */
  minutes: Type.Optional(Type.Number({ minimum: 0, description: 'must be a number ≥ 0' })),
});
export type WaterMeterEvent = Static<typeof WaterMeterEvent>;
/** At least every 15 min. */
export const WaterMeterTelemetry = Type.Object({
  ...common,
  /** Cumulative register, litres; only grows (a drop is a meter fault or replacement, judged downstream). */
  totalLiters: Type.Optional(Type.Number({ minimum: 0, description: 'must be a number ≥ 0' })),
  /** Current flow, litres per minute. */
  flowLpm: Type.Optional(Type.Number({ minimum: 0, description: 'must be a number ≥ 0' })),
});
export type WaterMeterTelemetry = Static<typeof WaterMeterTelemetry>;

// ── status (every type) ─────────────────────────────────────────────────────────────────────────

/** Retained; `online` after CONNECT, the Last Will is `offline`. */
export const DeviceStatus = Type.Object({
  state: OneOf(['online', 'offline'] as const),
  seq: Type.Optional(Seq),
  ts: Type.Optional(DeviceTs),
});
export type DeviceStatus = Static<typeof DeviceStatus>;

/** The schemas of one device type, by channel. */
export interface DeviceSchemas {
  event: TObject;
  telemetry: TObject;
  status: TObject;
}

export const SCHEMAS_BY_TYPE: Readonly<Record<DeviceType, DeviceSchemas>> = {
  button: { event: ButtonEvent, telemetry: ButtonTelemetry, status: DeviceStatus },
  wristband: { event: WristbandEvent, telemetry: WristbandTelemetry, status: DeviceStatus },
  motion: { event: MotionEvent, telemetry: MotionTelemetry, status: DeviceStatus },
  leak: { event: LeakEvent, telemetry: LeakTelemetry, status: DeviceStatus },
  water_meter: { event: WaterMeterEvent, telemetry: WaterMeterTelemetry, status: DeviceStatus },
};

// ── Zigbee2MQTT (Gateways) ──────────────────────────────────────────────────────────────────────

/** Zigbee2MQTT publishes `null` for an attribute it has not read yet; the codec treats null as absent. */
function Nullable<T extends TSchema>(schema: T, description: string) {
  return Type.Optional(Type.Union([schema, Type.Null()], { description }));
}

/**
 * The fields of a Zigbee2MQTT device state payload the hub maps (Gateways table). Zigbee2MQTT sends many
 * more (voltage, illuminance, last_seen, …); they are tolerated and not stored.
 */
export const ZigbeeDevicePayload = Type.Object({
  occupancy: Nullable(Type.Boolean(), 'must be true or false'),
  water_leak: Nullable(Type.Boolean(), 'must be true or false'),
  action: Nullable(Type.String(), 'must be a string'),
  /** Per cent. */
  battery: Nullable(Type.Number({ minimum: 0, maximum: 100 }), 'must be a number 0–100'),
  battery_low: Nullable(Type.Boolean(), 'must be true or false'),
  tamper: Nullable(Type.Boolean(), 'must be true or false'),
  /** Zigbee link quality indicator, 0–255. */
  linkquality: Nullable(Type.Number({ minimum: 0, maximum: 255 }), 'must be a number 0–255'),
});
export type ZigbeeDevicePayload = Static<typeof ZigbeeDevicePayload>;

/** Zigbee2MQTT's `…/bridge/state` (and per-device `…/availability`) in its JSON form. */
export const ZigbeeAvailability = Type.Object({ state: OneOf(['online', 'offline'] as const) });
export type ZigbeeAvailability = Static<typeof ZigbeeAvailability>;

/** Default Zigbee2MQTT `action` values that mean a call button was pressed (Gateways table). */
export const DEFAULT_BUTTON_ACTIONS: readonly string[] = ['single', 'sos', 'emergency', 'press'];
