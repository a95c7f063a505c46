import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Rooms own their data (design.md): SQL lives only in the store adapters. This walks the sources and
 * lists every file with SQL in it that is not one.
 */
const root = join(import.meta.dirname, '..');
const SKIP = new Set(['node_modules', '.git', 'tests', 'data', 'test-artifacts', 'bench-results']);

/** Where SQL may be: the rooms' adapters and migrations, and the kernel's store machinery. */
const ADAPTERS = [
  /^(kernel|broker|ingest|alerts|console)\/([\w-]+\/)?(store|queries)\//,
  /^(kernel|broker|ingest|alerts|console)\/migrations\.ts$/,
  /^kernel\/health\/sqlite\.ts$/,
  /^kernel\/(db|sqlite-connection|migrate)\.ts$/,
  /^kernel\/backup\/store-backup\.ts$/,
];
/** InfluxQL (InfluxDB's query language), not the embedded store. */
const INFLUXQL = new Set(['ingest/influx-history-query.ts', 'simulators/bench-ingest.ts']);

const SQL =
  /\b(SELECT\s[^;`'"]{0,200}?\bFROM\s|INSERT\s+(OR\s+\w+\s+)?INTO\s|UPDATE\s+\w+\s+SET\s|DELETE\s+FROM\s|CREATE\s+(TABLE|INDEX)\s|PRAGMA\s|BEGIN\s+IMMEDIATE)|\.prepare\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.(ts|js)$/.test(e.name) ? [relative(root, path)] : [];
  });
}

describe('rooms own their data', () => {
  it('has SQL only in the store adapters, the migrations and the kernel’s store machinery', () => {
    const files = sources(root);
    expect(files.length).toBeGreaterThan(100);
    const outside = files.filter(
      (f) =>
        !ADAPTERS.some((a) => a.test(f)) && !INFLUXQL.has(f) && SQL.test(readFileSync(join(root, f), 'utf8')),
    );
    expect(outside).toEqual([]);
  });

  it('recognises SQL where it is (a check that cannot see SQL would pass for anything)', () => {
    for (const f of [
      'ingest/store/sqlite-intake.ts',
      'alerts/store/sqlite-incidents.ts',
      'kernel/migrations.ts',
    ])
      expect(SQL.test(readFileSync(join(root, f), 'utf8')), f).toBe(true);
  });
});
