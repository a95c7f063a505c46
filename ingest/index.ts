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
import { GroupCommit } from './group-commit.ts';
import { InCommitProcessors } from './in-commit.ts';
import { Intake } from './intake.ts';
import { IntakeStore } from './intake-store.ts';
import { Presence } from './presence.ts';
import { QuarantineResolution } from './quarantine-resolution.ts';
import { createSqliteIngestQueries } from './queries/sqlite.ts';
import type { IngestQueries } from './queries/types.ts';
import { Retention } from './retention.ts';
import { ZigbeePairing } from './zigbee-pairing.ts';
import { ZigbeePairingStore } from './zigbee-pairing-store.ts';

export interface IngestDeps {
  config: Pick<
    HubConfig,
    'messageRetentionDays' | 'auditRetentionDays' | 'deviceTelemetryPerSecond' | 'deviceTelemetryBurst'
  >;
  db: Db;
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
  readonly store: Pick<IntakeStore, 'listQuarantine' | 'faults' | 'counts'>;
  /** `flush` writes the last-seen times still held in memory (at most a sweep old) before a direct read. */
  readonly presence: Pick<Presence, 'list' | 'flush'>;
  /** the Zigbee devices each gateway's Zigbee2MQTT knows (pairing) */
  readonly pairing: Pick<ZigbeePairingStore, 'list'>;
  /** unknown-device quarantine entries per friendly name, resolved when the name is provisioned */
  readonly quarantine: QuarantineResolution;
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

/** The ingest room: durable intake behind the broker, presence and heartbeat deadlines. */
export function createIngest(deps: IngestDeps): IngestRoom {
  const log = deps.log;
  const store = new IntakeStore(deps.db);
  const commit = new GroupCommit(deps.db, log);
  const dedupe = new SeqDeduper(store);
  const inCommit = new InCommitProcessors(log);
  const retention = new Retention({
    db: deps.db,
    clock: deps.clock,
    log,
    policy: { messageDays: deps.config.messageRetentionDays, auditDays: deps.config.auditRetentionDays },
  });
  const presence = new Presence({
    db: deps.db,
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
  const pairingStore = new ZigbeePairingStore(deps.db);
  const pairing = new ZigbeePairing({
    store: pairingStore,
    commit,
    registry: deps.registry,
    clock: deps.clock,
    log,
    metrics: deps.metrics,
  });
  const quarantine = new QuarantineResolution(deps.db);
  const queries = createSqliteIngestQueries(deps.db, { beforePresenceRead: () => presence.flush() });
  deps.metrics.gauge(
    'hub_ingest_outbox_depth',
    'Accepted messages waiting for InfluxDB',
    () => store.counts().outbox,
  );
  deps.metrics.gauge('hub_ingest_group_commits', 'Group commits since start', () => commit.commits);
  let pruneTimer: TimerHandle | null = null;
  const prune = () => {
    try {
      store.pruneSeen(deps.clock.now() - dedupe.windowMs);
    } catch (err) {
      log.error({ err }, 'dedupe prune failed');
    }
    pruneTimer = deps.clock.setTimeout(prune, PRUNE_INTERVAL_MS);
  };

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
      presence.start();
      prune();
      retention.start();
    },
    async stop() {
      await retention.stop();
      deps.broker.setPublishHandler(null);
      intake.releaseWaiting();
      deps.bus.removeOwner('ingest');
      presence.stop();
      if (pruneTimer) deps.clock.clearTimeout(pruneTimer);
      await commit.flushNow();
    },
  };
}
