import type { BrokerRoom } from '../broker/broker.ts';
import type { EventBus } from '../kernel/bus.ts';
import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { HubConfig } from '../kernel/config.ts';
import { topics } from '../kernel/contract.ts';
import type { Db } from '../kernel/db.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { Registry } from '../kernel/registry/index.ts';
import { SeqDeduper } from './dedupe.ts';
import { InCommitProcessors } from './in-commit.ts';
import { Intake } from './intake.ts';
import { Presence } from './presence.ts';
import { QuarantineResolution } from './quarantine-resolution.ts';
import { createSqliteIngestQueries } from './queries/sqlite.ts';
import type { IngestQueries } from './queries/types.ts';
import { Retention, type SecurityEventRetention } from './retention.ts';
import { GroupCommit } from './store/group-commit.ts';
import type { IngestStore, IntakeStore, PairingStore, PresenceRow } from './store/types.ts';
import { ZigbeePairing } from './zigbee-pairing.ts';

export interface IngestDeps {
  config: Pick<
    HubConfig,
    'messageRetentionDays' | 'auditRetentionDays' | 'deviceTelemetryPerSecond' | 'deviceTelemetryBurst'
  >;
  /** the group commit's connection, and the queries' */
  db: Db;
  /** the room's stores (store/types.ts; today's adapter: store/sqlite-store.ts) */
  store: IngestStore;
  /** the broker room's security events, which retention keeps bounded too */
  securityEvents: SecurityEventRetention;
  registry: Registry;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  broker: BrokerRoom;
}

/** What the console reads of the intake. */
export interface IngestReads {
  /** the room's async query interface (queries/types.ts): what the other rooms read of its tables */
  readonly queries: IngestQueries;
  readonly store: Pick<IntakeStore, 'listQuarantine' | 'faults'>;
  /** every client's presence (the last-seen times still held in memory written first) */
  readonly presence: { list(): Promise<PresenceRow[]> };
  /** the Zigbee devices each gateway's Zigbee2MQTT knows (pairing) */
  readonly pairing: Pick<PairingStore, 'list'>;
  /** unknown-device quarantine entries per friendly name, resolved when the name is provisioned */
  readonly quarantine: Pick<QuarantineResolution, 'unknownDevices' | 'resolveUnknownDevice'>;
}

export interface IngestRoom extends IngestReads {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly store: IntakeStore;
  readonly presence: Presence;
  /** processors run inside the transaction of each accepted message (see in-commit.ts) */
  readonly inCommit: InCommitProcessors;
  /** keeps the embedded store bounded (daily, and on demand) */
  readonly retention: Retention;
}

/** How often the dedupe table is pruned, ms. */
const PRUNE_INTERVAL_MS = 60_000;
/** How often the outbox depth gauge is read, ms. */
const OUTBOX_DEPTH_EVERY_MS = 5_000;

/** The ingest room: durable intake behind the broker, presence and heartbeat deadlines. */
export function createIngest(deps: IngestDeps): IngestRoom {
  const log = deps.log;
  const store = deps.store.intake;
  const commit = new GroupCommit(deps.db, log, 2000, deps.metrics);
  const dedupe = new SeqDeduper(store);
  const inCommit = new InCommitProcessors(log);
  const retention = new Retention({
    store: deps.store.retention,
    securityEvents: deps.securityEvents,
    clock: deps.clock,
    log,
    policy: { messageDays: deps.config.messageRetentionDays, auditDays: deps.config.auditRetentionDays },
  });
  const presence = new Presence({
    store: deps.store.presence,
    clock: deps.clock,
    registry: deps.registry,
    bus: deps.bus,
    log,
  });
  const intake = new Intake({
    telemetryRate: {
      perSecond: deps.config.deviceTelemetryPerSecond,
      burst: deps.config.deviceTelemetryBurst,
    },
    registry: deps.registry,
    bus: deps.bus,
    clock: deps.clock,
    log,
    metrics: deps.metrics,
    store,
    commit,
    dedupe,
    presence,
    inCommit,
    answer: (clientId, body) => {
      deps.broker
        .publishToDevice(topics.device(clientId, 'error'), Buffer.from(JSON.stringify(body)), 0)
        .catch((err: unknown) => log.warn({ err, clientId }, 'error answer not sent'));
    },
  });
  const pairingStore = deps.store.pairing;
  const pairing = new ZigbeePairing({
    store: pairingStore,
    commit,
    registry: deps.registry,
    clock: deps.clock,
    log,
    metrics: deps.metrics,
  });
  const quarantine = new QuarantineResolution(deps.store.quarantine);
  const queries = createSqliteIngestQueries(deps.db, { beforePresenceRead: () => presence.flush() });
  // The outbox depth as last read (every OUTBOX_DEPTH_EVERY_MS): a scrape does not wait for the store.
  let outboxDepth = 0;
  deps.metrics.gauge('hub_ingest_outbox_depth', 'Accepted messages waiting for InfluxDB', () => outboxDepth);
  let stopped = false;
  let pruneTimer: TimerHandle | null = null;
  let depthTimer: TimerHandle | null = null;
  /** the timers' store work in progress, which stop waits for */
  const inProgress = new Set<Promise<void>>();
  const track = (work: Promise<void>) => {
    inProgress.add(work);
    void work.finally(() => inProgress.delete(work));
  };
  const prune = () =>
    track(
      store
        .pruneSeen(deps.clock.now() - dedupe.windowMs)
        .then(
          () => undefined,
          (err: unknown) => log.error({ err }, 'dedupe prune failed'),
        )
        .then(() => {
          if (!stopped) pruneTimer = deps.clock.setTimeout(prune, PRUNE_INTERVAL_MS);
        }),
    );
  const readDepth = () =>
    track(
      queries
        .outboxDepth()
        .then(
          (n) => {
            outboxDepth = n;
          },
          (err: unknown) => log.error({ err }, 'outbox depth not read'),
        )
        .then(() => {
          if (!stopped) depthTimer = deps.clock.setTimeout(readDepth, OUTBOX_DEPTH_EVERY_MS);
        }),
    );

  return {
    queries,
    store,
    presence,
    pairing: pairingStore,
    quarantine,
    inCommit,
    retention,
    async start() {
      deps.bus.on('deviceConnected', 'ingest', (e) =>
        presence.setState(e.clientId, e.kind, 'online', 'connected'),
      );
      deps.bus.on('deviceMisbehaved', 'ingest', (e) => intake.countFault(e.clientId, e.code));
      deps.bus.on('deviceDisconnected', 'ingest', (e) =>
        presence.setState(e.clientId, e.kind, 'offline', 'disconnected'),
      );
      // Device traffic goes straight to the intake; a gateway's first past pairing (its bridge/… topics).
      deps.broker.setPublishHandler((ctx) =>
        ctx.kind === 'gateway' ? pairing.observe(ctx).then(() => intake.handle(ctx)) : intake.handle(ctx),
      );
      await presence.start();
      prune();
      readDepth();
      retention.start();
    },
    async stop() {
      await retention.stop();
      deps.broker.setPublishHandler(null);
      intake.releaseWaiting();
      deps.bus.removeOwner('ingest');
      stopped = true;
      if (pruneTimer) deps.clock.clearTimeout(pruneTimer);
      if (depthTimer) deps.clock.clearTimeout(depthTimer);
      await Promise.all(inProgress);
      await presence.stop();
      await commit.flushNow();
    },
  };
}
