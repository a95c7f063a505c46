import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import { PATH_POINTS, type PathPoint, type PathTimes } from '../incidents/alarm-path.ts';
import { nullableNum, type Row } from './sqlite-rows.ts';
import type { PathStore } from './types.ts';

/** The column of each point (a fixed map: no caller's text reaches the SQL). */
const COLUMN: Record<PathPoint, string> = {
  received: 'received_at',
  rule_fired: 'rule_fired_at',
  opened: 'opened_at',
  committed: 'committed_at',
  shown: 'shown_at',
  acknowledged: 'acknowledged_at',
  accepted: 'accepted_at',
  on_site: 'on_site_at',
};
const COLUMNS = PATH_POINTS.map((p) => COLUMN[p]);
const INSERT = `INSERT INTO incident_path (incident_id, ${COLUMNS.join(', ')})
  VALUES (?, ${COLUMNS.map(() => '?').join(', ')})`;
const GET = `SELECT ${COLUMNS.join(', ')} FROM incident_path WHERE incident_id = ?`;
/** Sets one point, only the first time: the row after it, or no row when it was set already. */
const MARK = Object.fromEntries(
  PATH_POINTS.map((p) => [
    p,
    `UPDATE incident_path SET ${COLUMN[p]} = ? WHERE incident_id = ? AND ${COLUMN[p]} IS NULL
      RETURNING ${COLUMNS.join(', ')}`,
  ]),
) as Record<PathPoint, string>;

/** A path from a row of incident_path's point columns, each named `prefix` + its column. */
function pathOf(row: Row, prefix = ''): PathTimes {
  return Object.fromEntries(PATH_POINTS.map((p) => [p, nullableNum(row[prefix + COLUMN[p]])])) as PathTimes;
}

/** What a query that LEFT JOINs incident_path as `alias` selects of it (each column as `path_` + it). */
export const joinedPathColumns = (alias: string) =>
  COLUMNS.map((c) => `${alias}.${c} AS path_${c}`).join(', ');

/** The path of a row selected with joinedPathColumns; null when the incident has none (LEFT JOIN: no row). */
export const joinedPathOf = (row: Row): PathTimes | null =>
  row.path_opened_at === null || row.path_opened_at === undefined ? null : pathOf(row, 'path_');

/** The incidents' alarm paths (`incident_path`, migration 14) on the embedded store. */
export function createSqlitePathStore(db: Db): PathStore {
  const conn = connectionOf(db);
  return {
    insert: (incidentId, times) =>
      conn.use(() => {
        conn.statement(INSERT).run(incidentId, ...PATH_POINTS.map((p) => times[p]));
      }),
    mark: (incidentId, point, at) =>
      conn.use(() => {
        const row = conn.statement(MARK[point]).get(at, incidentId);
        return row ? pathOf(row) : null;
      }),
    get: (incidentId) =>
      conn.use(() => {
        const row = conn.statement(GET).get(incidentId);
        return row ? pathOf(row) : null;
      }),
  };
}
