import { type Db, Statements } from '../../db.ts';
import type { Row } from '../../registry/rows.ts';
import { connectionOf, type SqliteConnection } from '../../sqlite-connection.ts';
import {
  type ImportJournal,
  JOURNAL_SCOPES,
  type JournalTable,
  type RowScope,
  type RowSnapshot,
} from './types.ts';

/** Each table's primary key (user_households: the pair). */
const PRIMARY_KEY: Record<JournalTable, readonly string[]> = {
  households: ['id'],
  residents: ['id'],
  contacts: ['id'],
  gateways: ['id'],
  devices: ['id'],
  users: ['id'],
  user_households: ['user_id', 'household_id'],
  responders: ['id'],
};

// Table and column names come from the constant maps above only, never from a caller's text.
const selectScope = (t: JournalTable) => `SELECT * FROM ${t} WHERE ${JOURNAL_SCOPES[t]} = ?`;
const keyOf = (t: JournalTable, row: Row) => JSON.stringify(PRIMARY_KEY[t].map((c) => row[c]));
const whereKey = (t: JournalTable) => PRIMARY_KEY[t].map((c) => `${c} = ?`).join(' AND ');

/** The import journal on the embedded store (the registry's connection: batches and journal commit together). */
export class SqliteImportJournal implements ImportJournal {
  readonly #conn: SqliteConnection;
  /** prepared once: a batch of 200 households takes ~1,400 snapshots */
  readonly #sql: Statements;

  constructor(db: Db) {
    this.#conn = connectionOf(db);
    this.#sql = new Statements(db);
  }

  snapshot(scopes: readonly RowScope[]): Promise<RowSnapshot[]> {
    return this.#conn.use(() =>
      scopes.map((s) => ({ ...s, rows: this.#sql.get(selectScope(s.table)).all(s.value) as Row[] })),
    );
  }

  record(jobId: string, batch: number, snapshots: readonly RowSnapshot[]): Promise<void> {
    return this.#conn.use(() => {
      this.#sql
        .get('INSERT INTO import_journal (job_id, batch, snapshots) VALUES (?, ?, ?)')
        .run(jobId, batch, JSON.stringify(snapshots));
    });
  }

  batches(jobId: string): Promise<number[]> {
    return this.#conn.use(() =>
      this.#sql
        .get('SELECT batch FROM import_journal WHERE job_id = ? ORDER BY batch DESC')
        .all(jobId)
        .map((r) => Number(r.batch)),
    );
  }

  undo(jobId: string, batch: number): Promise<void> {
    return this.#conn.use(() => {
      const row = this.#sql
        .get('SELECT snapshots FROM import_journal WHERE job_id = ? AND batch = ?')
        .get(jobId, batch);
      if (row === undefined) return;
      const snapshots = JSON.parse(String(row.snapshots)) as RowSnapshot[];
      for (const s of snapshots.reverse()) restoreScope(this.#sql, s);
      this.#sql.get('DELETE FROM import_journal WHERE job_id = ? AND batch = ?').run(jobId, batch);
    });
  }

  forget(jobId: string): Promise<void> {
    return this.#conn.use(() => {
      this.#sql.get('DELETE FROM import_journal WHERE job_id = ?').run(jobId);
    });
  }

  unfinishedJobs(): Promise<string[]> {
    return this.#conn.use(() =>
      this.#sql
        .get('SELECT DISTINCT job_id FROM import_journal ORDER BY job_id')
        .all()
        .map((r) => String(r.job_id)),
    );
  }
}

/**
 * Puts one scope back: rows that are there now but were not are deleted, rows that were are updated to
 * their old values (an UPDATE, never a REPLACE: a REPLACE deletes first, and ON DELETE CASCADE would take
 * the row's children with it), or inserted again.
 */
function restoreScope(sql: Statements, s: RowSnapshot): void {
  const table = s.table;
  if (!(table in JOURNAL_SCOPES)) throw new Error(`import journal: unknown table ${table}`);
  const before = new Map(s.rows.map((r) => [keyOf(table, r), r]));
  const key = PRIMARY_KEY[table];
  for (const now of sql.get(selectScope(table)).all(s.value) as Row[]) {
    if (!before.has(keyOf(table, now)))
      sql.get(`DELETE FROM ${table} WHERE ${whereKey(table)}`).run(...key.map((c) => now[c] ?? null));
  }
  for (const old of s.rows) {
    const columns = Object.keys(old).filter((c) => /^[a-z_]+$/.test(c));
    const values = columns.map((c) => old[c] ?? null);
    const keyValues = key.map((c) => old[c] ?? null);
    const exists = sql.get(`SELECT 1 FROM ${table} WHERE ${whereKey(table)}`).get(...keyValues);
    if (exists)
      sql
        .get(`UPDATE ${table} SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE ${whereKey(table)}`)
        .run(...values, ...keyValues);
    else
      sql
        .get(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`)
        .run(...values);
  }
}
