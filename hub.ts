import { createSlaDaily, type SlaDaily } from './alerts/incidents/sla-daily.ts';
import { type AlertsRoom, createAlerts } from './alerts/index.ts';
import { createNotifications, type NotificationsRoom } from './alerts/notifications/index.ts';
import { createSqliteAlertsStores } from './alerts/store/sqlite.ts';
import { type BrokerRoom, createBroker } from './broker/broker.ts';
import { createSqliteBrokerStore } from './broker/store/sqlite.ts';
import { type ConsoleRoom, createConsole } from './console/app.ts';
import { createSqliteSessionStore } from './console/store/sqlite.ts';
import { createIngest, type IngestRoom } from './ingest/index.ts';
import { createHistory, type History } from './ingest/influx-history.ts';
import { createInfluxWriter, type InfluxWriter } from './ingest/influx-writer.ts';
import { createSqliteHourlyTotals } from './ingest/queries/sqlite-hourly-totals.ts';
import { createSqliteIngestStore } from './ingest/store/sqlite-store.ts';
import { ensureAdmin } from './kernel/bootstrap.ts';
import { EventBus } from './kernel/bus.ts';
import { type Clock, systemClock } from './kernel/clock.ts';
import type { HubConfig } from './kernel/config.ts';
import { type Db, openDatabase } from './kernel/db.ts';
import { createSqliteStoreHealth } from './kernel/health/sqlite.ts';
import type { Logger } from './kernel/logger.ts';
import { Metrics } from './kernel/metrics.ts';
import { ImportJobs } from './kernel/provisioning/import-jobs.ts';
import { SqliteImportJournal } from './kernel/provisioning/store/sqlite-import-journal.ts';
import { createRegistry, type Registry } from './kernel/registry/index.ts';
import { connectionOf } from './kernel/sqlite-connection.ts';
import { UpgradeRouter } from './kernel/upgrades.ts';
import { HUB_MIGRATIONS } from './migrations.ts';

export interface HubOptions {
  config: HubConfig;
  log: Logger;
  clock?: Clock;
}

export interface Hub {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The generated admin password when this start created the admin user, else null. Print once. */
  readonly generatedAdminPassword: string | null;
  readonly registry: Registry;
  readonly metrics: Metrics;
  readonly db: Db;
  readonly ingest: IngestRoom;
  readonly alerts: AlertsRoom;
  /** incident notifications: the outbox (webhooks, device commands) and its delivery log */
  readonly notifications: NotificationsRoom;
  /** the daily SLA report job (alerts/incidents/sla-daily.ts; config slaReportCron) */
  readonly slaDaily: SlaDaily;
  readonly influx: InfluxWriter;
  readonly history: History;
  readonly bus: EventBus;
  readonly broker: BrokerRoom;
  addresses(): { mqtt: number; mqtts: number | null; http: number };
}

/** The composition root: wires the rooms, starts them in order and stops them in reverse. */
export function createHub({ config, log, clock = systemClock }: HubOptions): Hub {
  const db = openDatabase(config.dataDir, HUB_MIGRATIONS, log.child({ room: 'kernel' }));
  const registry = createRegistry(db, clock);
  const connection = connectionOf(db);
  connection.after.logTo(log.child({ room: 'kernel' }));
  // Events leave after the transaction that caused them commits (kernel/sqlite-connection.ts).
  const bus = new EventBus(log.child({ room: 'bus' }), connection);
  const metrics = new Metrics();
  const upgrades = new UpgradeRouter();
  const base = { config, registry, bus, metrics, clock, upgrades, db };

  // The rooms' stores (today's adapters: SQLite on the one connection).
  const brokerStore = createSqliteBrokerStore(db);
  const ingestStore = createSqliteIngestStore(db);

  const broker: BrokerRoom = createBroker({
    ...base,
    store: brokerStore,
    log: log.child({ room: 'broker' }),
  });
  const ingest: IngestRoom = createIngest({
    ...base,
    store: ingestStore,
    securityEvents: brokerStore,
    broker,
    log: log.child({ room: 'ingest' }),
  });
  // The alerts room's stores (SQLite adapters), shared by its notifications and SLA parts.
  const alertsStores = createSqliteAlertsStores(db);
  const alerts: AlertsRoom = createAlerts({
    ...base,
    stores: alertsStores,
    accepted: ingest.inCommit,
    hourly: createSqliteHourlyTotals(db),
    log: log.child({ room: 'alerts' }),
  });
  const notifications: NotificationsRoom = createNotifications({
    ...base,
    broker,
    deliveries: alertsStores.deliveries,
    log: log.child({ room: 'notifications' }),
  });
  const slaDaily = createSlaDaily({
    sla: alertsStores.sla,
    registry,
    clock,
    config,
    log: log.child({ room: 'alerts', part: 'sla' }),
  });
  const influx = createInfluxWriter({
    ...base,
    outbox: ingestStore.outbox,
    log: log.child({ room: 'ingest' }),
  });
  const imports = new ImportJobs({
    registry,
    journal: new SqliteImportJournal(db),
    dbPath: db.location(),
    clock,
    log: log.child({ room: 'kernel', part: 'import' }),
  });
  const history = createHistory({ ...base, store: ingestStore.history, log: log.child({ room: 'ingest' }) });
  const consoleRoom: ConsoleRoom = createConsole({
    ...base,
    log: log.child({ room: 'console' }),
    sessions: createSqliteSessionStore(db, clock),
    imports,
    health: () => ({ mqtt: broker.listening(), clients: broker.connectedClients() }),
    storeHealth: createSqliteStoreHealth(db),
    ingest,
    alerts: alerts.queries,
    away: alerts.away,
    alertSettings: alerts.overrides,
    incidents: alerts.incidents,
    incidentPolicy: alerts.incidents.policy,
    history,
    notificationDeliveries: notifications.deliveries,
  });
  notifications.addChannel(consoleRoom.liveNotifier);
  // Ingest starts first: the broker must never acknowledge a message before the durable intake is wired.
  const rooms: Array<{ name: string; start(): Promise<void>; stop(): Promise<void> }> = [
    // Undoes an import a stopped hub left half-written, before anything reads the registry; stops last.
    { name: 'imports', start: () => imports.start(), stop: () => imports.stop() },
    { name: 'ingest', start: () => ingest.start(), stop: () => ingest.stop() },
    // Rules listen to the intake's bus events: up before the broker lets a message in, down before ingest.
    { name: 'alerts', start: () => alerts.start(), stop: () => alerts.stop() },
    // Tells incident events (log, device commands, webhooks); resumes pending webhook retries.
    { name: 'notifications', start: () => notifications.start(), stop: () => notifications.stop() },
    // The daily SLA report (config slaReportCron): reads incidents, keeps one report per local day.
    { name: 'sla-daily', start: () => slaDaily.start(), stop: () => slaDaily.stop() },
    // Drains the outbox behind the intake; stops before it, so the store outlives its last write.
    { name: 'influx', start: () => influx.start(), stop: () => influx.stop() },
    { name: 'history', start: () => history.start(), stop: () => history.stop() },
    { name: 'broker', start: () => broker.start(), stop: () => broker.stop() },
    { name: 'console', start: () => consoleRoom.start(), stop: () => consoleRoom.stop() },
  ];
  const started: typeof rooms = [];
  let generatedAdminPassword: string | null = null;

  const hub: Hub = {
    get generatedAdminPassword() {
      return generatedAdminPassword;
    },
    registry,
    metrics,
    db,
    ingest,
    alerts,
    notifications,
    slaDaily,
    influx,
    history,
    broker,
    bus,
    async start() {
      generatedAdminPassword = await ensureAdmin(registry, config.adminPassword);
      upgrades.attach(consoleRoom.httpServer());
      try {
        for (const room of rooms) {
          await room.start();
          started.push(room);
        }
      } catch (err) {
        // Roll back what a failed start brought up.
        await hub.stop();
        throw err;
      }
    },
    async stop() {
      while (started.length > 0) {
        const room = started.pop();
        try {
          await room?.stop();
        } catch (err) {
          log.error({ err, room: room?.name }, 'room failed to stop');
        }
      }
      if (db.isOpen) db.close();
    },
    addresses: () => ({ ...broker.ports(), http: consoleRoom.port() }),
  };
  return hub;
}
