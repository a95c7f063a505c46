/**
 * The one typed message the rest of the hub consumes, whatever the device spoke (native protocol or
 * Zigbee2MQTT through a gateway). Produced only by the codecs in this room, only from input that passed
 * its schema.
 */
import type { DeviceType, Room } from '../kernel/contract.ts';
import type { DeviceId, GatewayId, HouseholdId } from '../kernel/ids.ts';

/**
 * Measurements a telemetry message may carry; each decoded field is present only when the device sent it.
 */
export interface Readings {
  /** Per cent, 0–100. */
  battery?: number;
  /** dBm. */
  rssi?: number;
  /** Beats per minute, 0–300. */
  heartRate?: number;
  /** Blood oxygen saturation, per cent 0–100. */
  spo2?: number;
  /** Steps counted by a wristband, integer ≥ 0. */
  steps?: number;
  /** WGS84 degrees. */
  lat?: number;
  lon?: number;
  /** Position accuracy, metres. */
  accuracy?: number;
  /** Water meter cumulative register, litres. */
  totalLiters?: number;
  /** Water flow, litres per minute. */
  flowLpm?: number;
  /** The case was opened. */
  tamper?: boolean;
  /** Zigbee2MQTT `battery_low`. */
  batteryLow?: boolean;
  /** Zigbee link quality, 0–255. */
  linkquality?: number;
  /** Derived by the intake, never decoded: litres used since the previous register reading. */
  usageLiters?: number;
  /** Derived by the intake, never decoded: the register went backwards (meter fault or replacement). */
  meterFault?: 'register_backwards';
}

export type ReadingName = keyof Readings;

export type Channel = 'event' | 'telemetry' | 'status';

export interface CanonicalEvent {
  /** One of the device type's allowed events (schemas.ts EVENTS_BY_TYPE). */
  name: string;
  /** Wristband fall certainty, 0–1. */
  confidence?: number;
  /** Water meter continuous flow, minutes. */
  minutes?: number;
}

export interface CanonicalMessage {
  deviceId: DeviceId;
  householdId: HouseholdId;
  deviceType: DeviceType;
  /** A property of the provisioned device, never of the message. */
  room: Room | null;
  channel: Channel;
  /** Set on channel 'event', else null. */
  event: CanonicalEvent | null;
  /** Set on channel 'telemetry', else null. */
  readings: Readings | null;
  /** Set on channel 'status', else null. */
  status: 'online' | 'offline' | null;
  /** The device's clock (`ts`), epoch ms; null when the device sent none. Never used for ordering. */
  deviceTime: number | null;
  /** The hub's clock at receipt, epoch ms. */
  receivedAt: number;
  /** The device's sequence number; null when absent (always null from Zigbee2MQTT). */
  seq: number | null;
  source: 'native' | 'zigbee';
  /** The gateway a Zigbee message came through; null for native devices. */
  gatewayId: GatewayId | null;
  /** The Zigbee2MQTT friendly name; null for native devices. */
  friendlyName: string | null;
}

/** The protocol's error codes a codec can produce (`rate_limited` is the intake's, not a codec's). */
export type DecodeErrorCode =
  | 'invalid_json'
  | 'too_large'
  | 'invalid_payload'
  | 'unknown_event'
  | 'unknown_device';

export type DecodeFailure = { ok: false; code: DecodeErrorCode; detail: string; seq: number | null };

export type DecodeResult = { ok: true; messages: CanonicalMessage[] } | DecodeFailure;
