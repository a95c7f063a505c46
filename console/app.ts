import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { AwayService } from '../alerts/away.ts';
import type { IncidentPolicyService } from '../alerts/incidents/policy.ts';
import type { IncidentService } from '../alerts/incidents/service.ts';
import type { DeliveryLogReader } from '../alerts/notifications/delivery-log.ts';
import type { Notifier } from '../alerts/notifications/types.ts';
import type { AlertsQueries } from '../alerts/queries/types.ts';
import type { SettingsOverridesService } from '../alerts/settings-overrides.ts';
import type { IngestReads } from '../ingest/index.ts';
import type { StoreHealth } from '../kernel/health/types.ts';
import { parseOrigins } from '../kernel/origins.ts';
import type { ImportJobs } from '../kernel/provisioning/import-jobs.ts';
import type { RoomDeps } from '../kernel/room.ts';
import { createGuard } from './auth/guard.ts';
import { createOriginCheck } from './auth/origin-check.ts';
import { ConnectionTracker } from './connections.ts';
import type { HistoryReader, RouteContext } from './context.ts';
import { documentResponses } from './error-responses.ts';
import { installErrorHandling } from './errors.ts';
import { refuseNonFiniteNumbers } from './finite-numbers.ts';
import { createLiveChannel } from './live/server.ts';
import { alarmPathRoutes } from './routes/alarm-path.ts';
import { alertSettingsRoutes } from './routes/alert-settings.ts';
import { authRoutes } from './routes/auth.ts';
import { awayRoutes } from './routes/away.ts';
import { contactRoutes } from './routes/contacts.ts';
import { deadLetterRoutes } from './routes/dead-letter.ts';
import { deviceRoutes } from './routes/devices.ts';
import { docsAccess, docsRoutes } from './routes/docs.ts';
import { fleetRoutes } from './routes/fleet.ts';
import { gatewayRoutes } from './routes/gateways.ts';
import { historyRoutes } from './routes/history.ts';
import { householdStatusRoutes } from './routes/household-status.ts';
import { householdRoutes } from './routes/households.ts';
import { importRoutes } from './routes/import.ts';
import { incidentExportRoutes } from './routes/incident-export.ts';
import { incidentPolicyRoutes } from './routes/incident-policy.ts';
import { incidentRoutes } from './routes/incidents.ts';
import { intakeRoutes } from './routes/intake.ts';
import { notificationRoutes } from './routes/notifications.ts';
import { opsRoutes } from './routes/ops.ts';
import { pageRoutes } from './routes/pages.ts';
import { reportRoutes } from './routes/reports.ts';
import { residentRoutes } from './routes/residents.ts';
import { responderRoutes } from './routes/responders.ts';
import { rhythmRoutes } from './routes/rhythm.ts';
import { stationRoutes } from './routes/stations.ts';
import { userRoutes } from './routes/users.ts';
import { zigbeePairingRoutes } from './routes/zigbee-pairing.ts';
import type { SessionStore } from './store/types.ts';

/** No database: the console reads the rooms' data through their query interfaces. */
export interface ConsoleDeps extends Omit<RoomDeps, 'db'> {
  /** The console's own store: login sessions (hub.ts: console/store/sqlite.ts). */
  sessions: SessionStore;
  /** Provisioning import jobs (hub.ts: kernel/provisioning/import-jobs.ts). */
  imports: ImportJobs;
  health: () => { mqtt: boolean; clients: number };
  /** The store's health probe (kernel/health), for GET /healthz. */
  storeHealth: StoreHealth;
  ingest: IngestReads;
  /** The alerts room's queries (hub.ts: alerts.queries). */
  alerts: AlertsQueries;
  /** The alerts room's away-suppression (hub.ts); without it (a console alone) its routes are not served. */
  away?: AwayService;
  /** The alerts room's settings overrides (hub.ts); without it their routes are not served. */
  alertSettings?: SettingsOverridesService;
  /** The alerts room's incidents (hub.ts); without it their routes are not served. */
  incidents?: IncidentService;
  /** The incidents' deadline/ladder policy (hub.ts); without it its routes are not served. */
  incidentPolicy?: IncidentPolicyService;
  /** The history module (hub.ts); without it (a console alone) the history routes are not served. */
  history?: HistoryReader;
  /** The notifications room's delivery log (hub.ts); without it its route is not served. */
  notificationDeliveries?: DeliveryLogReader;
}

export interface ConsoleRoom {
  app: FastifyInstance;
  /** Listens on config.host:config.httpPort. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** The HTTP server (app.server), available before start so the upgrade router can be attached. */
  httpServer(): Server;
  /** The real port after start (httpPort 0 = ephemeral). */
  port(): number;
  /** The live channel's notification channel (texts to the consoles of their audience). */
  readonly liveNotifier: Notifier;
  /** Consoles connected to the live channel. */
  liveConnections(): number;
}

const API_TAGS = [
  'auth',
  'households',
  'history',
  'residents',
  'contacts',
  'devices',
  'gateways',
  'users',
  'responders',
  'stations',
  'import',
  'intake',
  'ops',
  'incidents',
  'notifications',
  'reports',
];

/**
 * An empty body sent with `Content-Type: application/json` (a DELETE or a rotation from a client that
 * always sets it) is no body, not a 400; anything else goes to Fastify's JSON parser (prototype-poisoning
 * safe).
 */
function acceptEmptyJson(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body.toString();
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    void parseJson(request, text, done); // callback style: `done` carries the result or the error
  });
}

/** Builds the console's Fastify app: routes are registered now and loaded on ready/listen. */
export function createConsole(deps: ConsoleDeps): ConsoleRoom {
  // Fastify's request serializer logs method, url and addresses: never headers (tokens, cookies) or bodies.
  const loggerInstance: FastifyBaseLogger = deps.log;
  const app = Fastify({
    loggerInstance,
    // Unknown fields in a body are an error (a typo such as "rooom" must not be ignored silently).
    ajv: { customOptions: { removeAdditional: false } },
  });
  const guard = createGuard(deps.registry, deps.sessions);
  const ctx: RouteContext = {
    config: deps.config,
    registry: deps.registry,
    sessions: deps.sessions,
    imports: deps.imports,
    clock: deps.clock,
    metrics: deps.metrics,
    guard,
    health: deps.health,
    storeHealth: deps.storeHealth,
    ingest: deps.ingest,
    alerts: deps.alerts,
    away: deps.away ?? null,
    alertSettings: deps.alertSettings ?? null,
    incidents: deps.incidents ?? null,
    incidentPolicy: deps.incidentPolicy ?? null,
    history: deps.history ?? null,
    notificationDeliveries: deps.notificationDeliveries ?? null,
  };
  const live = createLiveChannel(deps);
  const connections = new ConnectionTracker(app.server);
  connections.watch();

  const requests = deps.metrics.counter(
    'hub_http_requests_total',
    'HTTP requests answered, by route and status',
  );
  const latency = deps.metrics.histogram(
    'hub_http_request_duration_seconds',
    'HTTP requests from arrival to the answer sent, seconds, by route',
    { labelNames: ['route'] },
  );
  app.addHook('onResponse', async (request, reply) => {
    // The route's template, not the raw URL: ids in paths would make the label set unbounded.
    const route = request.is404 ? 'unmatched' : `${request.method} ${request.routeOptions.url ?? ''}`;
    requests.inc({ route, status: String(reply.statusCode) });
    latency.observe(reply.elapsedTime / 1000, { route });
  });
  // Cookies (the session's) through @fastify/cookie: request.cookies, reply.setCookie.
  app.register(cookie);
  app.addHook('onRequest', createOriginCheck(parseOrigins(deps.config.consoleAllowedOrigins)));
  app.addHook('onRequest', guard.authenticate);
  app.addHook('preHandler', refuseNonFiniteNumbers);
  acceptEmptyJson(app);
  // JSON routes take JSON only: Fastify's default text/plain parser would let a cross-site "simple"
  // request (a form or fetch without preflight) reach them.
  app.removeContentTypeParser('text/plain');
  // Before the guard's check: the docs UI's routes are marked public (readable like /metrics).
  app.addHook('onRoute', docsAccess(deps.config));
  guard.enforceOn(app);
  // Every documented route's error answers: what the hooks above can answer, beside its handler's own.
  app.addHook('onRoute', (route) => documentResponses(route, guard.rolesOf(route)));
  installErrorHandling(app);

  app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Elder-care telemetry hub API',
        version: '0.1.0',
        description: 'Errors answer {"error":{"code":"HUB_ERR_…","message":"…","details":…}}.',
      },
      tags: API_TAGS.map((name) => ({ name })),
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'token from POST /api/auth/login' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'hub_session' },
        },
      },
    },
  });
  app.register(docsRoutes());
  const api = [
    authRoutes,
    householdRoutes,
    householdStatusRoutes,
    residentRoutes,
    contactRoutes,
    deviceRoutes,
    gatewayRoutes,
    zigbeePairingRoutes,
    userRoutes,
    responderRoutes,
    stationRoutes,
    importRoutes,
    intakeRoutes,
    deadLetterRoutes,
    awayRoutes,
    alertSettingsRoutes,
    historyRoutes,
    incidentExportRoutes,
    incidentRoutes,
    alarmPathRoutes,
    incidentPolicyRoutes,
    notificationRoutes,
    reportRoutes,
    fleetRoutes,
    rhythmRoutes,
  ];
  for (const routes of api) app.register(routes(ctx), { prefix: '/api' });
  app.register(opsRoutes(ctx));
  app.register(pageRoutes());

  return {
    app,
    liveNotifier: live.notifier,
    liveConnections: () => live.connections(),
    async start() {
      live.start();
      await app.listen({ host: deps.config.host, port: deps.config.httpPort });
    },
    async stop() {
      await live.stop();
      const closing = app.close();
      closing.catch((err: unknown) => deps.log.error({ err }, 'console: HTTP server failed to close'));
      // Upgraded sockets (the broker's /mqtt websockets) keep the server open until the broker closes
      // them; the console is done once its own HTTP connections are.
      await Promise.race([closing, connections.httpDrained()]);
    },
    httpServer: () => app.server,
    port: () => (app.server.address() as AddressInfo | null)?.port ?? deps.config.httpPort,
  };
}
