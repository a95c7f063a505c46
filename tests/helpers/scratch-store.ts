import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { type Db, openDatabase } from '../../kernel/db.ts';
import { HUB_MIGRATIONS } from '../../migrations.ts';

/**
 * For the store machinery's own tests (kernel/db.ts, sqlite-connection.ts, group commit): a fresh store in
 * a temporary directory with a table of the test's own, `things (id TEXT PRIMARY KEY)`; closed and
 * removed after each test.
 */
export function scratchStores(prefix: string): () => { dir: string; db: Db } {
  const opened: Array<{ dir: string; db: Db }> = [];
  afterEach(() => {
    for (const { dir, db } of opened.splice(0)) {
      if (db.isOpen) db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    const db = openDatabase(dir, HUB_MIGRATIONS);
    db.exec('CREATE TABLE things (id TEXT PRIMARY KEY)');
    opened.push({ dir, db });
    return { dir, db };
  };
}
