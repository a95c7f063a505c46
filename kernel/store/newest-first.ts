import type { SQLInputValue } from 'node:sqlite';
import type { Db } from '../db.ts';
import type { Row } from '../registry/rows.ts';

/**
 * Rows of an append-only table (id INTEGER PRIMARY KEY), newest first, paged by id: what the console's
 * operator lists (quarantine, dead letter) need. `filters` are SQL conditions with their arguments;
 * `table` is one of the caller's own constants, never input.
 */
export function newestFirst(
  db: Db,
  table: string,
  opts: {
    filters?: Array<[sql: string, args: SQLInputValue[]]>;
    beforeId?: number | undefined;
    limit: number;
  },
): Row[] {
  const filters = [...(opts.filters ?? [])];
  if (opts.beforeId) filters.push(['id < ?', [opts.beforeId]]);
  const where = filters.length ? `WHERE ${filters.map(([sql]) => `(${sql})`).join(' AND ')}` : '';
  return db
    .prepare(`SELECT * FROM ${table} ${where} ORDER BY id DESC LIMIT ?`)
    .all(...filters.flatMap(([, args]) => args), opts.limit);
}
