import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHub, type Hub } from '../../hub.ts';
import { type Clock, systemClock } from '../../kernel/clock.ts';
import { loadConfig } from '../../kernel/config.ts';
import type { DeviceType, Room } from '../../kernel/contract.ts';
import { createLogger } from '../../kernel/logger.ts';
import { generateSecret, hashSecret } from '../../kernel/secrets.ts';

export const ADMIN_PASSWORD = 'test-admin-password';

export interface TestHub {
  hub: Hub;
  dataDir: string;
  mqttUrl: string;
  wsUrl: string;
  httpUrl: string;
  /** Logs in through the API and returns the bearer token. */
  login(username?: string, password?: string): Promise<string>;
  /** Provisions a household with one device straight in the registry; returns the device's secret. */
  provisionDevice(opts: {
    id: string;
    type?: DeviceType;
    householdId?: string;
    room?: Room;
  }): Promise<string>;
  provisionGateway(opts: { id: string; householdId?: string }): Promise<string>;
  /** Like provisionDevice, but with a scrypt hash as hubs stored device secrets before the fast scheme. */
  provisionLegacyDevice(opts: { id: string; type?: DeviceType; householdId?: string }): Promise<string>;
  stop(): Promise<void>;
}

/** Starts a real hub on ephemeral ports with a temporary data directory. */
export async function startTestHub(
  overrides: Record<string, unknown> = {},
  opts: { clock?: Clock; dataDir?: string } = {},
): Promise<TestHub> {
  const dataDir = opts.dataDir ?? mkdtempSync(join(tmpdir(), 'hub-test-'));
  const config = loadConfig({
    env: {},
    overrides: {
      mqttPort: 0,
      httpPort: 0,
      mqttsPort: 0,
      dataDir,
      adminPassword: ADMIN_PASSWORD,
      logLevel: (process.env.TEST_LOG_LEVEL as 'silent' | undefined) ?? 'silent',
      ...overrides,
    },
  });
  const hub = createHub({ config, log: createLogger(config.logLevel), clock: opts.clock ?? systemClock });
  await hub.start();
  const { mqtt, http } = hub.addresses();
  const httpUrl = `http://127.0.0.1:${http}`;

  const ensureHousehold = (householdId: string) =>
    hub.registry.households.upsert({
      id: householdId,
      address: `${householdId} 幸福路 1号`,
      grid: 'grid-1',
    });

  return {
    hub,
    dataDir,
    mqttUrl: `mqtt://127.0.0.1:${mqtt}`,
    wsUrl: `ws://127.0.0.1:${http}/mqtt`,
    httpUrl,
    async login(username = 'admin', password = ADMIN_PASSWORD) {
      const res = await fetch(`${httpUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username, password }),
      });
      if (!res.ok) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
      return ((await res.json()) as { token: string }).token;
    },
    async provisionDevice({ id, type = 'button', householdId = 'hh-test', room }) {
      await ensureHousehold(householdId);
      const secret = generateSecret();
      await hub.registry.devices.upsert(
        { id, householdId, type, room: room ?? null },
        hub.registry.devices.secrets.hash(id, secret),
      );
      return secret;
    },
    async provisionLegacyDevice({ id, type = 'button', householdId = 'hh-test' }) {
      await ensureHousehold(householdId);
      const secret = generateSecret();
      await hub.registry.devices.upsert({ id, householdId, type, room: null }, await hashSecret(secret));
      return secret;
    },
    async provisionGateway({ id, householdId = 'hh-test' }) {
      await ensureHousehold(householdId);
      const secret = generateSecret();
      await hub.registry.devices.upsertGateway(
        { id, householdId },
        hub.registry.devices.secrets.hash(id, secret),
      );
      return secret;
    },
    async stop() {
      await hub.stop();
      if (!opts.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
