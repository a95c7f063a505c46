import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSqliteAlertsQueries } from '../alerts/queries/sqlite.ts';
import { createConsole } from '../console/app.ts';
import { createSqliteSessionStore } from '../console/store/sqlite.ts';
import { QuarantineResolution } from '../ingest/quarantine-resolution.ts';
import { createSqliteIngestQueries } from '../ingest/queries/sqlite.ts';
import { createSqliteIngestStore } from '../ingest/store/sqlite-store.ts';
import { ensureAdmin } from '../kernel/bootstrap.ts';
import { EventBus } from '../kernel/bus.ts';
import { systemClock } from '../kernel/clock.ts';
import { loadConfig } from '../kernel/config.ts';
import { openDatabase } from '../kernel/db.ts';
import { createSqliteStoreHealth } from '../kernel/health/sqlite.ts';
import { createLogger } from '../kernel/logger.ts';
import { Metrics } from '../kernel/metrics.ts';
import { ImportJobs } from '../kernel/provisioning/import-jobs.ts';
import { SqliteImportJournal } from '../kernel/provisioning/store/sqlite-import-journal.ts';
import { createRegistry } from '../kernel/registry/index.ts';
import { UpgradeRouter } from '../kernel/upgrades.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';
import { SimDevice } from '../simulators/device.ts';
import { type Api, apiClient, errorCode } from './helpers/api.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

type OpenApi = {
  openapi: string;
  paths: Record<
    string,
    Record<string, { tags?: string[]; security?: unknown[]; parameters?: Array<{ name: string }> }>
  >;
  components: { securitySchemes: Record<string, { type: string; scheme?: string }> };
};

/** Sends a raw HTTP upgrade request and resolves with the status line of the answer. */
function upgradeStatus(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
      );
    });
    socket.once('data', (chunk: Buffer) => {
      resolve(chunk.toString().split('\r\n')[0] ?? '');
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

describe('health, metrics, API document and front page', () => {
  let t: TestHub;
  let api: Api;

  beforeAll(async () => {
    t = await startTestHub();
    api = apiClient(t.httpUrl);
  });
  afterAll(() => t.stop());

  it('answers /healthz 200 while MQTT and the database are up, without login', async () => {
    const res = await api('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', mqtt: true, clients: 0, db: 'ok' });
  });

  it('serves Prometheus text with the request and login counters', async () => {
    await t.login();
    await api('GET', '/api/households');
    const res = await fetch(`${t.httpUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(text).toContain('# TYPE hub_http_requests_total counter');
    expect(text).toMatch(/hub_http_requests_total\{route="POST \/api\/auth\/login",status="200"\} 1/);
    expect(text).toMatch(/hub_http_requests_total\{route="GET \/api\/households",status="401"\} 1/);
    expect(text).toMatch(/hub_logins_total\{result="ok"\} 1/);
  });

  it('documents every API route in OpenAPI 3.1 with tags and bearer security', async () => {
    const res = await api('GET', '/api/docs/json');
    expect(res.status).toBe(200);
    const doc = res.body as OpenApi;
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const path of [
      '/api/auth/login',
      '/api/auth/me',
      '/api/households',
      '/api/households/{id}',
      '/api/households/{id}/residents',
      '/api/residents/{id}',
      '/api/households/{id}/contacts',
      '/api/contacts/{id}',
      '/api/devices',
      '/api/devices/{id}/secret',
      '/api/gateways/{id}/secret',
      '/api/users/{id}',
      '/api/responders/{id}',
      '/api/stations/{id}',
      '/api/import',
      '/healthz',
      '/metrics',
    ]) {
      expect(doc.paths[path], path).toBeDefined();
    }
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        expect(op.tags?.length, `${method} ${path} tags`).toBeGreaterThan(0);
        expect(op.security, `${method} ${path} security`).toBeDefined();
        if (path.includes('{id}')) expect(op.parameters?.map((p) => p.name)).toContain('id');
      }
    }
    expect(doc.paths['/api/devices']?.post?.security).toEqual([{ bearer: [] }, { cookie: [] }]);
  });

  it('answers unknown routes 404 in the error shape, and / with the login page', async () => {
    const missing = await api('GET', '/api/nothing-here');
    expect(missing.status).toBe(404);
    expect(errorCode(missing)).toBe('HUB_ERR_NOT_FOUND');
    const page = await fetch(`${t.httpUrl}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('id="login-form"');
  });

  it('leaves HTTP upgrades to the upgrade router: /mqtt reaches the broker, other paths get 404', async () => {
    const secret = await t.provisionDevice({ id: 'btn-ws-1', type: 'button' });
    const sim = await new SimDevice({ url: t.wsUrl, id: 'btn-ws-1', secret, type: 'button' }).connect();
    await sim.end();
    const port = Number(new URL(t.httpUrl).port);
    expect(await upgradeStatus(port, '/elsewhere')).toBe('HTTP/1.1 404 Not Found');
  });
});

describe('stopping and failing', () => {
  it('stops promptly while a device is connected over MQTT-over-WebSocket', async () => {
    const t = await startTestHub();
    const secret = await t.provisionDevice({ id: 'btn-ws-2', type: 'button' });
    const sim = await new SimDevice({ url: t.wsUrl, id: 'btn-ws-2', secret, type: 'button' }).connect();
    const started = Date.now();
    await t.stop();
    expect(Date.now() - started).toBeLessThan(3000);
    sim.kill();
  });

  it('answers /healthz 503 when the MQTT listeners are down', async () => {
    const t = await startTestHub();
    try {
      await t.hub.broker.stop();
      const res = await apiClient(t.httpUrl)('GET', '/healthz');
      expect(res.status).toBe(503);
      expect(res.body).toMatchObject({ status: 'unavailable', mqtt: false, db: 'ok' });
    } finally {
      await t.stop();
    }
  });

  it('answers /healthz 503 when the database does not answer', async () => {
    const c = consoleOnly();
    try {
      expect((await c.room.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
      c.db.close();
      const res = await c.room.app.inject({ method: 'GET', url: '/healthz' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toMatchObject({ status: 'unavailable', db: 'error' });
      // Any other route answers 500 in the error shape, without the database's own words.
      const api = await c.room.app.inject({
        method: 'GET',
        url: '/api/households',
        headers: { cookie: 'hub_session=x' },
      });
      expect(api.statusCode).toBe(500);
      expect(api.json()).toEqual({ error: { code: 'HUB_ERR_INTERNAL', message: 'internal error' } });
    } finally {
      await c.stop();
    }
  });
});

describe('route guard', () => {
  it('refuses to start with a route that is neither public nor guarded by a role check', async () => {
    const c = consoleOnly();
    try {
      const boot = async () => {
        c.room.app.get('/api/forgotten', async () => 'everything');
        await c.room.app.ready();
      };
      await expect(boot()).rejects.toThrow(/GET \/api\/forgotten is neither public nor guarded/);
    } finally {
      await c.stop();
    }
  });
});

describe('request logs', () => {
  it('log every request but never a password, token, cookie or secret', async () => {
    const c = consoleOnly('debug');
    try {
      const password = 'a-password-to-hide';
      await ensureAdmin(c.registry, password);
      const login = await c.room.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username: 'admin', password },
      });
      const token = (login.json() as { token: string }).token;
      const headers = { authorization: `Bearer ${token}`, cookie: `hub_session=${token}` };
      const doc = JSON.stringify({
        households: [
          { id: 'hh-9', address: '幸福路 9号', grid: 'g', devices: [{ id: 'btn-9', type: 'button' }] },
        ],
        users: [{ username: 'disp9', role: 'dispatcher', password: 'another-password-to-hide' }],
      });
      const imported = await c.room.app.inject({
        method: 'POST',
        url: '/api/import',
        headers: { ...headers, 'content-type': 'application/json' },
        payload: doc,
      });
      expect(imported.statusCode).toBe(200);
      const rotated = await c.room.app.inject({ method: 'POST', url: '/api/devices/btn-9/secret', headers });
      const secrets = [
        ...(imported.json() as { secrets: Array<{ secret: string }> }).secrets.map((s) => s.secret),
        (rotated.json() as { secret: string }).secret,
      ];
      const logs = c.logs();
      expect(logs).toContain('incoming request');
      expect(logs).toContain('/api/import');
      for (const hidden of [password, 'another-password-to-hide', token, ...secrets]) {
        expect(logs).not.toContain(hidden);
      }
    } finally {
      await c.stop();
    }
  });
});

/** The console room alone on a real database, for faults the whole hub cannot show (a closed database, the log). */
function consoleOnly(level = 'silent') {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-console-'));
  const lines: string[] = [];
  const log = createLogger(level, { write: (line: string) => lines.push(line) });
  const db = openDatabase(dataDir, HUB_MIGRATIONS, log);
  const registry = createRegistry(db, systemClock);
  const stores = createSqliteIngestStore(db);
  const room = createConsole({
    config: loadConfig({ env: {}, overrides: { dataDir, httpPort: 0 } }),
    registry,
    sessions: createSqliteSessionStore(db, systemClock),
    imports: new ImportJobs({
      registry,
      journal: new SqliteImportJournal(db),
      dbPath: db.location(),
      clock: systemClock,
      log,
    }),
    bus: new EventBus(log),
    metrics: new Metrics(),
    clock: systemClock,
    upgrades: new UpgradeRouter(),
    log,
    // The console's view of the broker: up, nobody connected.
    health: () => ({ mqtt: true, clients: 0 }),
    // The store's health, and the rooms' read sides, on the same real database.
    storeHealth: createSqliteStoreHealth(db),
    alerts: createSqliteAlertsQueries(db, registry.households),
    ingest: {
      queries: createSqliteIngestQueries(db),
      store: stores.intake,
      presence: { list: async () => [] },
      pairing: stores.pairing,
      quarantine: new QuarantineResolution(stores.quarantine),
    },
  });
  return {
    room,
    db,
    registry,
    logs: () => lines.join(''),
    async stop() {
      await room.stop();
      if (db.isOpen) db.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
