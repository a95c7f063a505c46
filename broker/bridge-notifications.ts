/**
 * A Mosquitto bridge (the household's broker in front of Zigbee2MQTT) announces its own connection with
 * `notifications true`, its default: right after CONNACK it publishes `1` (QoS 1, retained) on the remote
 * broker, on its `notification_topic` or, when none is set, on
 * `$SYS/broker/connection/{remote_clientid}/state`. That default topic lies outside the gateway's base,
 * and a PUBLISH outside it closes the connection: a default bridge would be dropped right after
 * connecting, over and over. A gateway's notification about its own client id is its availability, so
 * it is taken as a publish on the gateway's own `bridge/state` (decodeBridgeState reads `1`/`0`).
 */
import { topics } from '../kernel/contract.ts';
import type { Principal } from './acl.ts';

/** Mosquitto's notification topic when `notification_topic` is not set. */
export const mosquittoDefaultNotificationTopic = (remoteClientId: string) =>
  `$SYS/broker/connection/${remoteClientId}/state`;

/** The gateway's own `bridge/state` topic when `topic` is its default bridge notification; else null. */
export function ownBridgeNotification(who: Principal, topic: string): string | null {
  if (who.kind !== 'gateway' || topic !== mosquittoDefaultNotificationTopic(who.id)) return null;
  return topics.gatewayBridgeState(who.id);
}
