/**
 * The broker room: Aedes with the hub's identity, topic and size policy, its listeners, and presence.
 */
import type { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { Aedes, type Client } from 'aedes';
import { HubError } from '../kernel/errors.ts';
import type { RoomDeps } from '../kernel/room.ts';
import { KeyedTokenBucket, perMinute } from '../kernel/token-bucket.ts';
import { isHubToDeviceTopic, MAX_TOPIC_LEVELS } from './acl.ts';
import { AddressFailures } from './address-failures.ts';
import { createAuthHooks } from './auth.ts';
import { AccessRefused, createAuthorizers, type PublishHandler } from './authorize.ts';
import { registerBrokerMetrics } from './broker-metrics.ts';
import { ClientTable, type ConnectionInfo } from './clients.ts';
import { createListeners } from './listeners.ts';
import { GuardedConnection } from './packet-guard.ts';
import { createSqliteBrokerQueries } from './queries/sqlite.ts';
import type { BrokerQueries } from './queries/types.ts';
import { SecretUpgrades } from './secret-upgrades.ts';
import { createSecurityLog } from './security-log.ts';
import type { BrokerStore } from './store/types.ts';
import { VerifiedSecrets } from './verified-secrets.ts';
import { WillPolicy } from './will-policy.ts';

export type { PublishContext, PublishHandler } from './authorize.ts';

export interface BrokerDeps extends RoomDeps {
  /** the room's store (store/types.ts): its security events are written through it */
  store: BrokerStore;
}

export interface BrokerRoom {
  start(): Promise<void>;
  stop(): Promise<void>;
  listening(): boolean;
  connectedClients(): number;
  ports(): { mqtt: number; mqtts: number | null };
  /** The running Aedes instance (for later rooms); throws before start. */
  aedes(): Aedes;
  /** Installs the hook every accepted client PUBLISH passes before it is acknowledged; null: accept all. */
  setPublishHandler(fn: PublishHandler | null): void;
  /** Publishes hub → device: a device's `command`/`error` topic, or below a gateway's base topic. */
  publishToDevice(topic: string, payload: Buffer | string, qos: 0 | 1): Promise<void>;
  /** the room's async query interface (queries/types.ts): its security events */
  readonly queries: BrokerQueries;
}

/** ms a new connection has to send its CONNECT (aedes' default is 30 s). */
const CONNECT_TIMEOUT_MS = 10_000;
/**
 * aedes' own topic depth limit: a hard close before any hook runs. Deeper than the ACL's
 * MAX_TOPIC_LEVELS, so ordinary deep topics are refused by the ACL (logged, SUBACK 0x80 for a SUBSCRIBE)
 * and this only backs it up; far below aedes' default of 100.
 */
const AEDES_MAX_TOPIC_LEVELS = MAX_TOPIC_LEVELS + 6;
/** MQTT 3.1 limits clientIds to 23 characters; operator ids may have 64 (OPERATOR_ID_PATTERN). */
const MAX_CLIENT_ID_LENGTH = 64;

/** aedes' errors for refusals it makes before any hook runs, mapped to security events. */
const AEDES_REFUSALS: Array<{ pattern: RegExp; kind: 'topic_too_deep' | 'publish_denied' }> = [
  { pattern: /too many levels/, kind: 'topic_too_deep' },
  { pattern: /is not allowed in PUBLISH/, kind: 'publish_denied' },
];

export function createBroker(deps: BrokerDeps): BrokerRoom {
  const { config, registry, bus, clock, upgrades, db, log } = deps;
  let broker: Aedes | null = null;
  let publishHandler: PublishHandler | null = null;
  let watchingIdentities = false;
  const clients = new ClientTable();
  const secretUpgrades = new SecretUpgrades(registry, log, (n) => metrics.secretUpgrades.inc({}, n));
  const secrets = new VerifiedSecrets(registry.devices.secrets, (u) => secretUpgrades.add(u));
  const metrics = registerBrokerMetrics(
    deps.metrics,
    () => clients.liveCount(),
    () => clients.liveByType(),
  );
  deps.metrics.gauge(
    'hub_mqtt_auth_waiting',
    'connects waiting for their secret to be verified (scrypt, lifeline devices first)',
    () => secrets.waiting,
  );
  const security = createSecurityLog({ store: deps.store, bus, clock, log, metrics });
  const wills = new WillPolicy({ security, clients });

  const accept = (stream: Duplex, info: ConnectionInfo, req?: IncomingMessage) => {
    const running = broker;
    if (!running) {
      stream.destroy();
      return;
    }
    let client: Client | null = null;
    const guarded = new GuardedConnection(stream, config.mqttMaxPacketBytes, (violation) => {
      const detail =
        violation.kind === 'packet_too_large'
          ? `packet of ${violation.declaredBytes} bytes declared, limit ${violation.limitBytes}`
          : violation.detail;
      const kind = violation.kind === 'malformed_length' ? 'malformed_packet' : violation.kind;
      // The authenticated id, else the clientId it claimed (unverified), else none (no CONNECT yet).
      const clientId = client
        ? (clients.session(client)?.id ?? clients.attempt(client)?.clientId)
        : undefined;
      security.record({ kind, clientId: clientId || undefined, address: info.address, detail });
      // Against the device itself too (its fault counter), but only an authenticated one: a claimed id
      // must not let anybody flag somebody else's device as faulty.
      const session = client ? clients.session(client) : null;
      // Not awaited (a socket callback): emit never rejects, and no transaction waits for it here.
      if (session)
        void bus.emit('deviceMisbehaved', {
          clientId: session.id,
          kind: session.kind,
          code: violation.kind === 'packet_too_large' ? 'too_large' : 'malformed_packet',
          at: clock.now(),
        });
    });
    client = running.handle(guarded, req);
    clients.accepted(client, info);
  };
  const listeners = createListeners({ config, upgrades, log, accept });

  /** A device whose credentials changed while connected is disconnected if it no longer qualifies. */
  const revalidate = (id: string) => {
    secrets.forget(id);
    // After the registry's transaction, which may still be open when it notifies.
    setImmediate(async () => {
      const client = clients.live(id);
      const session = clients.session(client ?? null);
      if (!broker || !client || !session) return;
      try {
        // waits for that transaction to end when it is still open
        const identity = await registry.devices.identity(id);
        if (identity?.enabled && session.secretHashes.includes(identity.secretHash)) return;
      } catch (err) {
        log.error({ err, clientId: id }, 'could not re-check a live session; disconnecting it');
      }
      log.info({ clientId: id }, 'credentials revoked or changed: disconnecting the live session');
      client.close();
    });
  };

  function wire(aedes: Aedes): void {
    aedes.on('clientReady', (client) => {
      const session = clients.markLive(client);
      if (!session) return;
      log.debug({ clientId: session.id, transport: session.transport }, 'client connected');
      // Not awaited (aedes' callback): emit never rejects, and no transaction waits for it here.
      void bus.emit('deviceConnected', {
        clientId: session.id,
        kind: session.kind,
        address: session.address,
        transport: session.transport,
      });
    });
    aedes.on('clientDisconnect', (client) => {
      const session = clients.markGone(client);
      if (!session) return;
      log.debug({ clientId: session.id }, 'client disconnected');
      void bus.emit('deviceDisconnected', { clientId: session.id, kind: session.kind }); // as above
    });
    const onClientError = (client: Client, err: Error) => {
      if (err instanceof AccessRefused) return; // already recorded
      const refusal = AEDES_REFUSALS.find((r) => r.pattern.test(err.message));
      if (refusal) {
        const address = clients.connection(client).address;
        security.record({
          kind: refusal.kind,
          clientId: clients.session(client)?.id,
          address,
          detail: err.message,
        });
        return;
      }
      log.debug({ err: err.message, clientId: client.id }, 'client connection ended with an error');
    };
    aedes.on('clientError', onClientError);
    aedes.on('connectionError', onClientError);
    (aedes as EventEmitter).on('error', (err: Error) => log.error({ err }, 'aedes error'));
  }

  const room: BrokerRoom = {
    queries: createSqliteBrokerQueries(db),
    async start() {
      const auth = createAuthHooks({
        registry,
        clients,
        secrets,
        perAddress: new AddressFailures(
          new KeyedTokenBucket({ ...perMinute(config.mqttConnectsPerMinutePerAddress), clock }),
        ),
        perClient: new KeyedTokenBucket({ ...perMinute(config.mqttConnectsPerMinutePerClient), clock }),
        security,
        metrics,
        log,
        wills,
      });
      const authorizers = createAuthorizers({
        clients,
        registry,
        clock,
        security,
        metrics,
        log,
        publishHandler: () => publishHandler,
      });
      const aedes = await Aedes.createBroker({
        connectTimeout: CONNECT_TIMEOUT_MS,
        drainTimeout: config.mqttDrainTimeoutMs,
        maxTopicLevels: AEDES_MAX_TOPIC_LEVELS,
        maxClientsIdLength: MAX_CLIENT_ID_LENGTH,
        // keepalive bounds are applied in preConnect (see MAX_KEEPALIVE_S): aedes' keepaliveLimit answers
        // CONNACK 6, which MQTT 3.1.1 does not define.
        keepaliveLimit: 0,
        ...auth,
        ...authorizers,
      });
      wire(aedes);
      broker = aedes;
      if (!watchingIdentities) {
        watchingIdentities = true;
        registry.devices.onIdentityChanged(revalidate);
      }
      try {
        await listeners.start();
      } catch (err) {
        await room.stop();
        throw err;
      }
    },

    async stop() {
      const aedes = broker;
      broker = null;
      await listeners.stop();
      await secretUpgrades.flush();
      if (aedes) await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },

    listening: () => listeners.listening(),
    connectedClients: () => clients.liveCount(),
    ports: () => listeners.ports(),

    aedes() {
      if (!broker) throw new Error('broker is not running');
      return broker;
    },

    setPublishHandler(fn) {
      publishHandler = fn;
    },

    publishToDevice(topic, payload, qos) {
      const aedes = broker;
      if (!aedes) return Promise.reject(new Error('broker is not running'));
      if (!isHubToDeviceTopic(topic)) {
        return Promise.reject(new HubError('HUB_ERR_VALIDATION', `not a hub-to-device topic: ${topic}`));
      }
      return new Promise((resolve, reject) => {
        aedes.publish(
          { cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup: false },
          (err?: Error) => (err ? reject(err) : resolve()),
        );
      });
    },
  };
  return room;
}
