import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { openDatabase } from '../kernel/db.ts';
import { createRegistry } from '../kernel/registry/index.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';
import { fixturePath } from './fixtures/provisioning/temp-registry.ts';

const root = resolve(import.meta.dirname, '..');
const node = join(root, 'node_modules/.bin/node');
const work = mkdtempSync(join(tmpdir(), 'hub-cli-'));
const dataDir = join(work, 'data');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs `node cli.ts …` as an operator would, with only the hub's own settings from the environment. */
function hub(...args: string[]) {
  return hubWith({ HUB_DATA_DIR: dataDir, HUB_LOG_LEVEL: 'silent' }, ...args);
}

function hubWith(settings: Record<string, string>, ...args: string[]) {
  const env: Record<string, string> = { ...settings };
  for (const [k, v] of Object.entries(process.env))
    if (!k.startsWith('HUB_') && v !== undefined) env[k] ??= v;
  const run = spawnSync(node, ['cli.ts', ...args], { cwd: root, env, encoding: 'utf8', timeout: 20_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

async function withRegistry<T>(
  fn: (registry: ReturnType<typeof createRegistry>) => T | Promise<T>,
): Promise<T> {
  const db = openDatabase(dataDir, HUB_MIGRATIONS);
  try {
    return await fn(createRegistry(db, new ManualClock()));
  } finally {
    db.close();
  }
}

describe('npm run hub -- import FILE', () => {
  it('imports, writes new secrets only to FILE.secrets.csv (mode 0600), and changes nothing the second time', async () => {
    const file = join(work, 'county.json');
    copyFileSync(fixturePath('example.json'), file);
    const first = hub('import', file);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('devices     7 created, 0 updated, 0 unchanged');
    expect(first.stdout).toContain(`7 new secrets written to ${file}.secrets.csv`);

    const secretsFile = `${file}.secrets.csv`;
    expect(statSync(secretsFile).mode & 0o777).toBe(0o600);
    const [header, ...rows] = readFileSync(secretsFile, 'utf8').trim().split('\n');
    expect(header).toBe('id,secret');
    expect(rows).toHaveLength(7);
    const secrets = rows.map((r) => r.split(','));
    for (const [, secret] of secrets) expect(first.stdout).not.toContain(secret);
    const [id, secret] = secrets.find(([i]) => i === 'wb-0001') ?? [];
    const stored = await withRegistry(async (r) => (await r.devices.identity(id ?? ''))?.secretHash ?? '');
    // the CLI and this process share the hub's key file in the data directory
    expect(await withRegistry((r) => r.devices.secrets.verify(id ?? '', secret ?? '', stored))).toBe(true);

    const again = hub('import', file);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('devices     0 created, 0 updated, 7 unchanged');
    expect(again.stdout).toContain('No new secrets.');
    expect(readFileSync(secretsFile, 'utf8').trim().split('\n')).toHaveLength(8);
  });

  it('exits 1 with every problem and its line, importing nothing and writing no secrets file', async () => {
    const file = join(work, 'bad.csv');
    copyFileSync(fixturePath('bad.csv'), file);
    const run = hub('import', file);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('8 problems; nothing was imported.');
    expect(run.stderr).toContain('line 4 device_type: unknown device type "leek"');
    expect(run.stderr).toContain('line 5: row has 13 fields, the header has 16');
    expect(existsSync(`${file}.secrets.csv`)).toBe(false);
    expect(await withRegistry((r) => r.households.get('hh-0401'))).toBeNull();
  });

  it('prints usage for help and refuses unknown commands and file types', () => {
    const help = hub('help');
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('import FILE');
    expect(hub('frobnicate').code).toBe(2);
    const txt = hub('import', join(work, 'county.txt'));
    expect(txt.code).toBe(2);
    expect(txt.stderr).toContain('must end in .json or .csv');
  });

  it('on a new data directory prints its summary and no migration or other log lines', () => {
    const file = join(work, 'fresh.json');
    copyFileSync(fixturePath('example.json'), file);
    const fresh = join(work, 'fresh-data');
    const run = hubWith({ HUB_DATA_DIR: fresh }, 'import', file);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).not.toMatch(/migration|"level"/);
    expect(run.stdout.split('\n')[0]).toBe(`Imported ${file} into ${fresh}:`);
    // HUB_LOG_LEVEL still asks for them
    const verbose = hubWith(
      { HUB_DATA_DIR: join(work, 'verbose-data'), HUB_LOG_LEVEL: 'info' },
      'import',
      file,
    );
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toContain('migration applied');
  });
});
