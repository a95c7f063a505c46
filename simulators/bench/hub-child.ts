import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Child, HUB_HTTP_PORT, HUB_MQTT_PORT, startChild } from '../child-process.ts';
import { provisionDirect } from '../household/provision-direct.ts';
import type { HouseholdSpec } from '../household/spec.ts';
import { sleep } from './machine.ts';

export const BENCH_ADMIN_PASSWORD = 'bench-admin-password';

export interface BenchHub {
  child: Child;
  mqttUrl: string;
  httpUrl: string;
  /** id → secret (one shared secret: provision-direct.ts) */
  secrets: Map<string, string>;
  stop(): Promise<void>;
}

/**
 * The hub as a child process of its own (its CPU apart from the load's), on a temporary data directory
 * with `specs` provisioned straight into the store, the per-address connect limit lifted, logs at error.
 */
export async function startBenchHub(
  specs: HouseholdSpec[],
  env: Record<string, string> = {},
): Promise<BenchHub> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  const secrets = await provisionDirect(dataDir, specs);
  const child = await startChild(
    ['main.ts'],
    {
      HUB_DATA_DIR: dataDir,
      HUB_MQTT_PORT: '0',
      HUB_HTTP_PORT: '0',
      HUB_LOG_LEVEL: 'error',
      HUB_ADMIN_PASSWORD: BENCH_ADMIN_PASSWORD,
      HUB_MQTT_CONNECTS_PER_MINUTE_PER_ADDRESS: '10000000',
      ...env,
    },
    HUB_MQTT_PORT,
  );
  for (let i = 0; i < 100 && !HUB_HTTP_PORT.test(child.output()); i++) await sleep(50);
  const http = HUB_HTTP_PORT.exec(child.output())?.[1];
  return {
    child,
    mqttUrl: `mqtt://127.0.0.1:${child.port}`,
    httpUrl: `http://127.0.0.1:${http}`,
    secrets,
    async stop() {
      await child.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
