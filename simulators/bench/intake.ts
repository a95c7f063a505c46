import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../kernel/clock.ts';
import { openDatabase } from '../../kernel/db.ts';
import { createRegistry } from '../../kernel/registry/index.ts';
import { generateSecret } from '../../kernel/secrets.ts';
import { HUB_MIGRATIONS } from '../../migrations.ts';
import { HUB_MQTT_PORT, startChild } from '../child-process.ts';
import { type LoadResult, runLoad } from '../load-client.ts';

export interface IntakeOptions {
  devices: number;
  durationS: number;
  /** msg/s of the paced runs */
  rate: number;
  /** QoS 1 messages in flight per device in the saturated runs */
  window: number;
}

export interface IntakeResult {
  bareMax: LoadResult;
  hubMax: LoadResult;
  bareRate: LoadResult;
  hubRate: LoadResult;
  /** hub / bare Aedes, saturated acknowledged msg/s */
  ratio: number;
}

/**
 * Intake throughput of the hub against bare Aedes in the same run: stock Aedes (no hooks, in memory)
 * and the hub, each in a process of its own, driven by the same simulated motion sensors publishing
 * QoS 1 events and telemetry alternating: as fast as acknowledgements allow, then paced at `rate`.
 * The hub's devices are provisioned straight into its store with one shared secret.
 */
export async function benchIntake(o: IntakeOptions): Promise<IntakeResult> {
  const ids = Array.from({ length: o.devices }, (_, i) => `bench-${i}`);
  const bare = await startChild(['simulators/bare-aedes.ts'], {}, /listening (\d+)/);
  let bareMax: LoadResult;
  let bareRate: LoadResult;
  try {
    const url = `mqtt://127.0.0.1:${bare.port}`;
    const devices = ids.map((id) => ({ id }));
    bareMax = await runLoad({ url, devices, durationS: o.durationS, rate: 0, window: o.window });
    bareRate = await runLoad({ url, devices, durationS: o.durationS, rate: o.rate, window: o.window });
  } finally {
    await bare.stop();
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-'));
  try {
    const db = openDatabase(dataDir, HUB_MIGRATIONS);
    const registry = createRegistry(db, systemClock);
    const secret = generateSecret();
    await registry.transaction(async () => {
      await registry.households.upsert({ id: 'hh-bench', address: 'bench', grid: 'g' });
      for (const id of ids)
        await registry.devices.upsert(
          { id, householdId: 'hh-bench', type: 'motion' },
          registry.devices.secrets.hash(id, secret),
        );
    });
    db.close();
    const hub = await startChild(
      ['main.ts'],
      {
        HUB_DATA_DIR: dataDir,
        HUB_MQTT_PORT: '0',
        HUB_HTTP_PORT: '0',
        HUB_LOG_LEVEL: 'error',
        HUB_ADMIN_PASSWORD: 'bench-password',
        // every simulated device connects from 127.0.0.1: lift the per-address connect limit for the run
        HUB_MQTT_CONNECTS_PER_MINUTE_PER_ADDRESS: '1000000',
        // saturated, each device sends ~10–25 msg/s: lift the per-device telemetry rate (5/s) too, so the
        // run measures the intake and not the rate limit's backpressure
        HUB_DEVICE_TELEMETRY_PER_SECOND: '100000',
        HUB_DEVICE_TELEMETRY_BURST: '100000',
      },
      HUB_MQTT_PORT,
    );
    try {
      const url = `mqtt://127.0.0.1:${hub.port}`;
      const devices = ids.map((id) => ({ id, secret }));
      const hubMax = await runLoad({ url, devices, durationS: o.durationS, rate: 0, window: o.window });
      const hubRate = await runLoad({ url, devices, durationS: o.durationS, rate: o.rate, window: o.window });
      return { bareMax, bareRate, hubMax, hubRate, ratio: hubMax.perSecond / bareMax.perSecond };
    } finally {
      await hub.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The result as a markdown table and the ratio line. */
export function intakeTable(o: IntakeOptions, r: IntakeResult): string[] {
  const row = (name: string, x: LoadResult) =>
    `| ${name} | ${x.perSecond.toFixed(0)} | ${x.p50Ms.toFixed(2)} | ${x.p99Ms.toFixed(2)} | ${x.acked} | ${x.errors} |`;
  return [
    `Load: ${o.devices} devices, QoS 1 events and telemetry alternating, ${o.durationS} s per run, window ${o.window} per device`,
    '',
    '| run | acked msg/s | PUBACK p50 ms | PUBACK p99 ms | acked | errors |',
    '|---|---|---|---|---|---|',
    row('bare Aedes, saturated', r.bareMax),
    row('hub durable intake, saturated', r.hubMax),
    row(`bare Aedes, ${o.rate} msg/s`, r.bareRate),
    row(`hub durable intake, ${o.rate} msg/s`, r.hubRate),
    '',
    `Ratio hub / bare Aedes (saturated): ${r.ratio.toFixed(2)}`,
  ];
}
