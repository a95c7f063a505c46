/**
 * `npm run bench -- --only export` (or run this file): a month of a county's incidents exported as CSV and
 * as JSON through `GET /api/incidents/export`, timed end to end (request to last byte) against a real hub.
 * The incidents are written straight into a fresh store through the alerts room's store interface
 * (households in 50 grids, one incident every few minutes of a 30-day month), then the hub starts on it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openedIncident } from '../../alerts/incidents/model.ts';
import { createSqliteAlertsStores } from '../../alerts/store/sqlite.ts';
import { createHub } from '../../hub.ts';
import { systemClock } from '../../kernel/clock.ts';
import { loadConfig } from '../../kernel/config.ts';
import { openDatabase } from '../../kernel/db.ts';
import { createLogger } from '../../kernel/logger.ts';
import { createRegistry } from '../../kernel/registry/index.ts';
import { HUB_MIGRATIONS } from '../../migrations.ts';

export interface ExportOptions {
  /** incidents in the month */
  incidents: number;
  /** households they come from */
  households: number;
}
export interface ExportResult extends ExportOptions {
  csvMs: number;
  csvBytes: number;
  jsonMs: number;
  jsonRows: number;
  gridMs: number;
  gridRows: number;
}

const MONTH_MS = 30 * 86_400_000;
const PASSWORD = 'bench-export-admin';

export async function benchIncidentExport(opts: ExportOptions): Promise<ExportResult> {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-bench-export-'));
  const from = Date.parse('2026-11-01T00:00:00+08:00');
  try {
    const db = openDatabase(dataDir, HUB_MIGRATIONS);
    const registry = createRegistry(db, systemClock);
    const stores = createSqliteAlertsStores(db);
    await registry.transaction(async () => {
      for (let i = 0; i < opts.households; i++)
        await registry.households.upsert({ id: `hh-${i}`, address: `幸福路 ${i}号`, grid: `grid-${i % 50}` });
    });
    await stores.transaction(async () => {
      for (let i = 0; i < opts.incidents; i++) {
        const openedAt = from + Math.floor((i / opts.incidents) * MONTH_MS);
        const cls = i % 4 === 0 ? 'wellness' : 'emergency';
        await stores.incidents.insert({
          ...openedIncident({
            id: `inc-${i}`,
            householdId: `hh-${i % opts.households}`,
            residentId: null,
            alarmType: cls === 'emergency' ? 'sos' : 'no_movement',
            class: cls,
            severity: 'high',
            openedAt,
            explanation: { zh: '', en: '' },
          }),
          state: 'resolved',
          updatedAt: openedAt + 600_000,
          closedAt: openedAt + 1_200_000,
          outcome: 'assisted_at_home',
        });
      }
    });
    db.close();

    const config = loadConfig({
      env: {
        HUB_DATA_DIR: dataDir,
        HUB_MQTT_PORT: '0',
        HUB_HTTP_PORT: '0',
        HUB_MQTTS_PORT: '0',
        HUB_ADMIN_PASSWORD: PASSWORD,
      },
    });
    const hub = createHub({ config, log: createLogger('error') });
    await hub.start();
    try {
      const base = `http://127.0.0.1:${hub.addresses().http}`;
      const login = await fetch(`${base}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: PASSWORD }),
      });
      const { token } = (await login.json()) as { token: string };
      const timed = async (query: string) => {
        const started = performance.now();
        const res = await fetch(`${base}/api/incidents/export?${query}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`export ${query}: ${res.status} ${text.slice(0, 200)}`);
        return { ms: performance.now() - started, text };
      };
      const range = `from=2026-11-01&to=2026-12-01`;
      const csv = await timed(`${range}&format=csv`);
      const json = await timed(`${range}&format=json`);
      const grid = await timed(`${range}&format=json&grid=grid-7`);
      return {
        ...opts,
        csvMs: csv.ms,
        csvBytes: Buffer.byteLength(csv.text),
        jsonMs: json.ms,
        jsonRows: (JSON.parse(json.text) as unknown[]).length,
        gridMs: grid.ms,
        gridRows: (JSON.parse(grid.text) as unknown[]).length,
      };
    } finally {
      await hub.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function exportReport(r: ExportResult): string[] {
  return [
    '### A month of incidents exported',
    '',
    `${r.incidents} incidents of ${r.households} households in 50 grids, one 30-day month; GET /api/incidents/export, request to last byte`,
    '',
    '| export | rows | time | size |',
    '|---|---|---|---|',
    `| CSV, the whole month | ${r.incidents} | ${(r.csvMs / 1000).toFixed(2)} s | ${(r.csvBytes / 1e6).toFixed(1)} MB |`,
    `| JSON, the whole month | ${r.jsonRows} | ${(r.jsonMs / 1000).toFixed(2)} s | |`,
    `| JSON, one grid | ${r.gridRows} | ${(r.gridMs / 1000).toFixed(2)} s | |`,
    '',
  ];
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      incidents: { type: 'string', default: '30000' },
      households: { type: 'string', default: '10000' },
    },
  });
  const result = await benchIncidentExport({
    incidents: Number(values.incidents),
    households: Number(values.households),
  });
  process.stdout.write(`${exportReport(result).join('\n')}\n`);
}
