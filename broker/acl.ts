/**
 * Topic rules of device-protocol.md "Topics", as pure functions of (who, topic).
 *
 * A device `{id}` publishes only to `eldercare/v1/{id}/event|telemetry|status` and subscribes only to its
 * own `command` and `error`. A gateway `{gw}` runs Zigbee2MQTT with `base_topic` `eldercare/v1/gw/{gw}`:
 * it publishes anywhere below that base (friendly names, `bridge/state`, `bridge/info`, …) and may
 * subscribe within it (Zigbee2MQTT subscribes to `{base}/#`), plus its own `command`/`error`.
 */
import {
  DEVICE_PUBLISH_CHANNELS,
  DEVICE_SUBSCRIBE_CHANNELS,
  type DeviceChannel,
  TOPIC_ROOT,
} from '../kernel/contract.ts';

export type ClientKind = 'device' | 'gateway';

export interface Principal {
  id: string;
  kind: ClientKind;
}

/**
 * Topic levels a client may use, counted like aedes (`split('/').length`). The deepest legitimate topic
 * is a Zigbee2MQTT bridge response under a 4-level base, e.g.
 * `eldercare/v1/gw/{gw}/bridge/response/device/ota_update/check` (9 levels); 10 leaves one to spare.
 */
export const MAX_TOPIC_LEVELS = 10;

/** `event`, `telemetry` or `status` for a device; `gateway` for anything under a gateway's base. */
export type MessageChannel = DeviceChannel | 'gateway';

export type PublishDecision = { allowed: true; channel: MessageChannel } | { allowed: false; reason: string };
export type SubscribeDecision = { allowed: true } | { allowed: false; reason: string };

export const gatewayBase = (gatewayId: string) => `${TOPIC_ROOT}/gw/${gatewayId}`;

const levelCount = (topic: string) => topic.split('/').length;
const hasWildcard = (topic: string) => topic.includes('+') || topic.includes('#');

function ownDeviceChannel(id: string, topic: string, channels: readonly string[]): string | null {
  const prefix = `${TOPIC_ROOT}/${id}/`;
  if (!topic.startsWith(prefix)) return null;
  const channel = topic.slice(prefix.length);
  return channels.includes(channel) ? channel : null;
}

/** True when `topic` lies strictly below the gateway's base and has no empty level. */
function belowGatewayBase(gatewayId: string, topic: string): boolean {
  const prefix = `${gatewayBase(gatewayId)}/`;
  if (!topic.startsWith(prefix)) return false;
  const rest = topic.slice(prefix.length);
  return rest.length > 0 && !rest.split('/').includes('');
}

export function mayPublish(who: Principal, topic: string): PublishDecision {
  if (levelCount(topic) > MAX_TOPIC_LEVELS) return { allowed: false, reason: 'topic too deep' };
  if (hasWildcard(topic)) return { allowed: false, reason: 'wildcard in a PUBLISH topic' };
  if (who.kind === 'device') {
    const channel = ownDeviceChannel(who.id, topic, DEVICE_PUBLISH_CHANNELS);
    return channel
      ? { allowed: true, channel: channel as DeviceChannel }
      : { allowed: false, reason: 'not one of its own event/telemetry/status topics' };
  }
  return belowGatewayBase(who.id, topic)
    ? { allowed: true, channel: 'gateway' }
    : { allowed: false, reason: "outside the gateway's own base topic" };
}

export function maySubscribe(who: Principal, filter: string): SubscribeDecision {
  if (levelCount(filter) > MAX_TOPIC_LEVELS) return { allowed: false, reason: 'topic filter too deep' };
  // Exact own command/error: the only subscriptions a device may hold.
  if (ownDeviceChannel(who.id, filter, DEVICE_SUBSCRIBE_CHANNELS)) return { allowed: true };
  // A gateway may use wildcards, but only below its own base, so `{base}/#` cannot reach another tenant.
  if (who.kind === 'gateway' && belowGatewayBase(who.id, filter)) return { allowed: true };
  return {
    allowed: false,
    reason: hasWildcard(filter)
      ? 'wildcard subscription outside its own topics'
      : 'not its own command/error topic',
  };
}

/** Whether a message on `topic` may be delivered to `who` (defence in depth behind maySubscribe). */
export function mayReceive(who: Principal, topic: string): boolean {
  if (ownDeviceChannel(who.id, topic, DEVICE_SUBSCRIBE_CHANNELS)) return true;
  return who.kind === 'gateway' && belowGatewayBase(who.id, topic);
}

/** Topics the hub itself may publish to: a device's `command`/`error`, or below a gateway's base. */
export function isHubToDeviceTopic(topic: string): boolean {
  if (levelCount(topic) > MAX_TOPIC_LEVELS || hasWildcard(topic)) return false;
  const parts = topic.split('/');
  if (parts.length === 4 && parts[2])
    return ownDeviceChannel(parts[2], topic, DEVICE_SUBSCRIBE_CHANNELS) !== null;
  return parts[2] === 'gw' && parts[3] !== undefined && parts[3] !== '' && belowGatewayBase(parts[3], topic);
}
