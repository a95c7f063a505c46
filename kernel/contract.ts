/**
 * The device contract's names (../shared/docs/device-protocol.md), imported by the broker, the codecs,
 * the simulators and the tests.
 */
export const TOPIC_ROOT = 'eldercare/v1';

export const DEVICE_TYPES = ['button', 'wristband', 'motion', 'leak', 'water_meter'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export const ROOMS = ['bedroom', 'bathroom', 'kitchen', 'living', 'entrance', 'other'] as const;
export type Room = (typeof ROOMS)[number];

/** Channels a device publishes on, under `eldercare/v1/{id}/`. */
export const DEVICE_PUBLISH_CHANNELS = ['event', 'telemetry', 'status'] as const;
export type DeviceChannel = (typeof DEVICE_PUBLISH_CHANNELS)[number];

/** Channels the hub publishes to a device, the only ones it may subscribe to. */
export const DEVICE_SUBSCRIBE_CHANNELS = ['command', 'error'] as const;

/**
 * One Zigbee2MQTT `action` value of a button's SOS list (device-protocol.md "Gateways": `action` in a
 * per-device list): a word as Zigbee2MQTT names presses (`single`, `button_1_hold`, `1_initial_press`).
 */
export const SOS_ACTION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
/** Values in one button's SOS list at most (Zigbee2MQTT buttons name a handful of presses each). */
export const MAX_SOS_ACTIONS = 20;

/** Payloads are UTF-8 JSON objects of at most 16 KiB. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

/** Heartbeat interval per type, in ms: the protocol's "at least every …". */
export const HEARTBEAT_INTERVAL_MS: Record<DeviceType, number> = {
  button: 15 * 60_000,
  wristband: 5 * 60_000,
  motion: 60 * 60_000,
  leak: 60 * 60_000,
  water_meter: 15 * 60_000,
};

export const topics = {
  device: (id: string, channel: DeviceChannel | 'command' | 'error') => `${TOPIC_ROOT}/${id}/${channel}`,
  gateway: (gatewayId: string, friendlyName: string) => `${TOPIC_ROOT}/gw/${gatewayId}/${friendlyName}`,
  gatewayBridgeState: (gatewayId: string) => `${TOPIC_ROOT}/gw/${gatewayId}/bridge/state`,
};

export type ParsedTopic =
  | { kind: 'device'; id: string; channel: string }
  | { kind: 'gateway'; gatewayId: string; subtopic: string };

/** Splits a hub topic into its parts, or null when it is not under `eldercare/v1/`. */
export function parseTopic(topic: string): ParsedTopic | null {
  const parts = topic.split('/');
  if (parts[0] !== 'eldercare' || parts[1] !== 'v1') return null;
  if (parts[2] === 'gw') {
    if (parts.length < 5 || !parts[3]) return null;
    return { kind: 'gateway', gatewayId: parts[3], subtopic: parts.slice(4).join('/') };
  }
  if (parts.length !== 4 || !parts[2] || !parts[3]) return null;
  return { kind: 'device', id: parts[2], channel: parts[3] };
}
