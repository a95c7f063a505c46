import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';
import { DEVICE_SECRET_KEY_FILE } from '../device-secrets.ts';
import type { RoomMigrations } from '../migrate.ts';
import { livePid } from '../pid-file.ts';

const STORE_FILE = 'hub.sqlite';
/** The table a backup file carries besides the store's own: what the data directory needs with it. */
const META = 'hub_backup';

export class BackupError extends Error {}

export interface BackupInfo {
  /** ISO time the copy was taken */
  createdAt: string;
  /** highest migration version in the copy */
  schemaVersion: number;
  /** the device-secret key came along (hubs before it had none) */
  withDeviceKey: boolean;
}

/**
 * A consistent copy of the store while the hub runs: SQLite's online backup API copies the pages of
 * one snapshot (a reader of the WAL: the hub's writes go on meanwhile and are not in the copy). The
 * device-secret key file goes into the copy (table hub_backup), since the devices' HMAC-hashed
 * secrets cannot be checked without it; the copy is written with mode 0600 for the same reason.
 */
export async function backupStore(dataDir: string, file: string): Promise<BackupInfo> {
  const source = join(dataDir, STORE_FILE);
  if (!existsSync(source)) throw new BackupError(`no store in ${dataDir} (${STORE_FILE} is missing)`);
  if (existsSync(file)) throw new BackupError(`${file} exists: choose a new file name`);
  const tmp = `${file}.partial`;
  rmSync(tmp, { force: true });
  const db = new DatabaseSync(source, { readOnly: true });
  try {
    await backup(db, tmp);
  } finally {
    db.close();
  }
  chmodSync(tmp, 0o600);
  const copy = new DatabaseSync(tmp);
  let info: BackupInfo;
  try {
    const keyPath = join(dataDir, DEVICE_SECRET_KEY_FILE);
    const key = existsSync(keyPath) ? readFileSync(keyPath) : null;
    info = {
      createdAt: new Date().toISOString(),
      schemaVersion: schemaVersion(copy),
      withDeviceKey: key !== null,
    };
    copy.exec(`CREATE TABLE ${META} (key TEXT PRIMARY KEY, value BLOB NOT NULL)`);
    const put = copy.prepare(`INSERT INTO ${META} (key, value) VALUES (?, ?)`);
    put.run('created_at', info.createdAt);
    put.run('schema_version', String(info.schemaVersion));
    if (key) put.run('device_secret_key', key);
    copy.exec('VACUUM'); // one self-contained file, no WAL beside it
  } finally {
    copy.close();
  }
  renameSync(tmp, file);
  return info;
}

/**
 * Checks a backup file before anything is touched: SQLite's integrity check, made by `backup` (has
 * hub_backup), and no migration newer than this hub knows. Returns what it holds.
 */
export function checkBackup(file: string, migrations: readonly RoomMigrations[]): BackupInfo {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist`);
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file, { readOnly: true });
  } catch (err) {
    throw new BackupError(`${file} is not a SQLite file: ${(err as Error).message}`);
  }
  try {
    let integrity: string;
    try {
      integrity = String(
        (db.prepare('PRAGMA integrity_check').get() as { integrity_check: string }).integrity_check,
      );
    } catch (err) {
      throw new BackupError(`${file} is not a hub backup: ${(err as Error).message}`);
    }
    if (integrity !== 'ok') throw new BackupError(`${file} is damaged: ${integrity}`);
    const meta = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?`).get(META);
    if (!meta) throw new BackupError(`${file} was not made by \`npm run hub -- backup\` (no ${META} table)`);
    const known = Math.max(0, ...migrations.flatMap((r) => r.migrations.map((m) => m.version)));
    const version = schemaVersion(db);
    if (version > known)
      throw new BackupError(`${file} is from a newer hub (schema ${version}; this hub knows up to ${known})`);
    const get = (key: string) =>
      (db.prepare(`SELECT value FROM ${META} WHERE key = ?`).get(key) as { value: unknown } | undefined)
        ?.value;
    return {
      createdAt: String(get('created_at') ?? ''),
      schemaVersion: version,
      withDeviceKey: get('device_secret_key') !== undefined,
    };
  } finally {
    db.close();
  }
}

/**
 * Restores a backup into `dataDir`: refused while a hub runs on it (its pid file names a live process)
 * and when a store is there already, unless `replace` (then the old one is kept beside it as
 * hub.sqlite.before-restore-<time>). The next start migrates the copy forward if it is older.
 */
export function restoreStore(
  file: string,
  dataDir: string,
  migrations: readonly RoomMigrations[],
  opts: { replace: boolean },
): { info: BackupInfo; keptAside: string | null } {
  const pid = livePid(dataDir);
  if (pid !== null) throw new BackupError(`a hub is running on ${dataDir} (pid ${pid}): stop it first`);
  const info = checkBackup(file, migrations);
  mkdirSync(dataDir, { recursive: true });
  const target = join(dataDir, STORE_FILE);
  let keptAside: string | null = null;
  if (existsSync(target)) {
    if (!opts.replace)
      throw new BackupError(
        `${dataDir} already has a store: pass --replace to restore over it (it is kept aside)`,
      );
    keptAside = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(target, keptAside);
  }
  for (const suffix of ['-wal', '-shm']) rmSync(`${target}${suffix}`, { force: true });
  const tmp = `${target}.restoring`;
  copyFileSync(file, tmp);
  const db = new DatabaseSync(tmp);
  try {
    const key = (
      db.prepare(`SELECT value FROM ${META} WHERE key = 'device_secret_key'`).get() as
        | { value: Uint8Array }
        | undefined
    )?.value;
    const keyPath = join(dataDir, DEVICE_SECRET_KEY_FILE);
    if (key) writeFileSync(keyPath, key, { mode: 0o600 });
    db.exec(`DROP TABLE ${META}`);
  } finally {
    db.close();
  }
  renameSync(tmp, target);
  return { info, keptAside };
}

function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare('SELECT COALESCE(MAX(version), 0) AS v FROM schema_migrations').get() as {
    v: number;
  };
  return Number(row.v);
}
