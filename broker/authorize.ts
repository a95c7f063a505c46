/**
 * Topic policy as aedes hooks: authorizePublish, authorizeSubscribe, authorizeForward.
 *
 * authorizePublish is also where intake plugs in: aedes writes the QoS 1 PUBACK (QoS 2 PUBREC) only
 * after its callback, so the optional publish handler runs there, awaited, after the ACL check
 * ("acknowledged means on disk", design.md principle 2).
 */
import type { AedesPublishPacket, Client, PublishPacket, Subscription } from 'aedes';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Registry } from '../kernel/registry/index.ts';
import type { MqttIdentity } from '../kernel/registry/types.ts';
import { type ClientKind, MAX_TOPIC_LEVELS, mayPublish, mayReceive, maySubscribe } from './acl.ts';
import { ownBridgeNotification } from './bridge-notifications.ts';
import type { BrokerMetrics } from './broker-metrics.ts';
import type { ClientTable, Session } from './clients.ts';
import type { SecurityLog } from './security-log.ts';

export interface PublishContext {
  clientId: string;
  kind: ClientKind;
  householdId: string;
  topic: string;
  payload: Buffer;
  qos: 0 | 1 | 2;
  retain: boolean;
  /**
   * When the broker got the PUBLISH (before its ACL check), epoch ms, hub clock: the message's receipt
   * time, and the first point of an alarm's path (alerts/incidents/alarm-path.ts).
   */
  receivedAt: number;
  /** false once the connection that sent the message has closed */
  connected(): boolean;
  /**
   * Refreshes the connection's keep-alive timer. While a handler holds a message, aedes reads nothing
   * more from that connection (not even a PINGREQ), so a handler that delays a message on purpose (rate
   * backpressure) calls this when it lets the message through.
   */
  keepAlive(): void;
}

/**
 * Runs before a client's PUBLISH is acknowledged or delivered. Resolving accepts the message (the
 * device gets its PUBACK); rejecting closes the connection unacknowledged, so the device sends it again.
 */
export type PublishHandler = (ctx: PublishContext) => Promise<void>;

/** A refusal already recorded as a security event (so the clientError listener does not record it twice). */
export class AccessRefused extends Error {
  override readonly name = 'AccessRefused';
}

export interface AuthorizeDeps {
  clients: ClientTable;
  registry: Registry;
  security: SecurityLog;
  metrics: BrokerMetrics;
  log: Logger;
  clock: Clock;
  publishHandler: () => PublishHandler | null;
}

const levels = (topic: string) => topic.split('/').length;

/**
 * aedes keeps the keep-alive timer (1.5 × the client's keepalive) on the client as `_keepaliveTimer`
 * and refreshes it for every packet it handles; it has no public way to do so for a packet we hold.
 */
function refreshKeepAlive(client: Client | null): void {
  const timer = (client as (Client & { _keepaliveTimer?: NodeJS.Timeout | null }) | null)?._keepaliveTimer;
  timer?.refresh();
}

export function createAuthorizers(deps: AuthorizeDeps) {
  const { clients, registry, security, metrics, log, clock, publishHandler } = deps;

  /**
   * The publisher: the client's session (at once: the hot path), or for a Last Will aedes replays
   * without a client, its owner as the registry has it now.
   */
  function authorizePublish(
    client: Client | null,
    packet: PublishPacket,
    callback: (error?: Error | null) => void,
  ) {
    const received = { perf: performance.now(), at: clock.now() };
    const session = clients.session(client);
    const owner = (packet as PublishPacket & { clientId?: string }).clientId;
    if (session || client || !owner) {
      authorizeAs(session, client, packet, callback, received);
      return;
    }
    registry.devices.identity(owner).then(
      (identity) => authorizeAs(identity?.enabled ? identity : null, client, packet, callback, received),
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  }

  function authorizeAs(
    who: Session | MqttIdentity | null | undefined,
    client: Client | null,
    packet: PublishPacket,
    callback: (error?: Error | null) => void,
    /** performance.now() for the PUBACK histogram; the hub clock for the message */
    received: { perf: number; at: number },
  ) {
    const address = client ? clients.connection(client).address : undefined;
    if (!who) {
      security.record({
        kind: 'publish_denied',
        clientId: client?.id,
        address,
        detail: `unauthenticated publish to ${packet.topic}`,
      });
      callback(new AccessRefused('publish without an authenticated session'));
      return;
    }
    // A default Mosquitto bridge's `$SYS/broker/connection/{id}/state`: the gateway's own availability.
    const bridgeState = ownBridgeNotification(who, packet.topic);
    if (bridgeState !== null) packet.topic = bridgeState;
    const decision = mayPublish(who, packet.topic);
    if (!decision.allowed) {
      const tooDeep = levels(packet.topic) > MAX_TOPIC_LEVELS;
      security.record({
        kind: tooDeep ? 'topic_too_deep' : 'publish_denied',
        clientId: who.id,
        address,
        // A too-deep topic is logged by its depth only: it is attacker-chosen and may be huge.
        detail: tooDeep
          ? `publish ${levels(packet.topic)} levels deep`
          : `publish to ${packet.topic}: ${decision.reason}`,
      });
      callback(new AccessRefused(`publish to ${packet.topic} refused: ${decision.reason}`));
      return;
    }
    const handler = publishHandler();
    const accepted = () => {
      metrics.messagesIn.inc({ channel: decision.channel });
      if (packet.qos > 0)
        metrics.publishAck.observe((performance.now() - received.perf) / 1000, {
          channel: decision.channel,
        });
      callback(null);
    };
    if (!handler) {
      accepted();
      return;
    }
    const payload = Buffer.isBuffer(packet.payload) ? packet.payload : Buffer.from(packet.payload);
    const live = client;
    handler({
      clientId: who.id,
      kind: who.kind,
      householdId: who.householdId,
      topic: packet.topic,
      payload,
      qos: packet.qos,
      retain: packet.retain,
      receivedAt: received.at,
      connected: () => live !== null && !live.closed,
      keepAlive: () => refreshKeepAlive(live),
    }).then(accepted, (err: unknown) => {
      log.error(
        { err, clientId: who.id, topic: packet.topic },
        'publish handler failed; message not acknowledged',
      );
      callback(err instanceof Error ? err : new Error(String(err)));
    });
  }

  function authorizeSubscribe(
    client: Client,
    sub: Subscription,
    callback: (error: Error | null, subscription?: Subscription | null) => void,
  ) {
    const session = clients.session(client);
    const decision = session ? maySubscribe(session, sub.topic) : { allowed: false, reason: 'no session' };
    if (!decision.allowed) {
      const tooDeep = levels(sub.topic) > MAX_TOPIC_LEVELS;
      security.record({
        kind: tooDeep ? 'topic_too_deep' : 'subscribe_denied',
        clientId: session?.id ?? client.id,
        address: clients.connection(client).address,
        detail: tooDeep
          ? `subscribe ${levels(sub.topic)} levels deep`
          : `subscribe to ${sub.topic}: ${decision.reason}`,
      });
      // [MQTT-3.9.3]: a null subscription is answered with return code 0x80 in the SUBACK.
      callback(null, null);
      return;
    }
    callback(null, sub);
  }

  /** Defence in depth: deliver to a client only what its own topics allow, whatever it subscribed to. */
  function authorizeForward(client: Client, packet: AedesPublishPacket): AedesPublishPacket | null {
    const session = clients.session(client);
    return session && mayReceive(session, packet.topic) ? packet : null;
  }

  return { authorizePublish, authorizeSubscribe, authorizeForward };
}
