import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { Alarm, AlarmClass, AlarmNote, AlarmType, Evidence, Severity } from '../alarm.ts';
import { nullableNum, nullableStr, type Row } from './sqlite-rows.ts';
import type { AlarmStore } from './types.ts';

export function toAlarm(r: Row): Alarm {
  return {
    id: String(r.id),
    householdId: String(r.household_id),
    residentId: nullableStr(r.resident_id),
    type: String(r.type) as AlarmType,
    class: String(r.class) as AlarmClass,
    severity: String(r.severity) as Severity,
    status: String(r.status) === 'open' ? 'open' : 'closed',
    openedAt: Number(r.opened_at),
    updatedAt: Number(r.updated_at),
    closedAt: nullableNum(r.closed_at),
    closedBy: nullableStr(r.closed_by),
    closeReason: nullableStr(r.close_reason),
    count: Number(r.count),
    evidence: JSON.parse(String(r.evidence)) as Evidence[],
    explanation: { zh: String(r.explanation_zh), en: String(r.explanation_en) },
    notes: JSON.parse(String(r.notes)) as AlarmNote[],
    late: Number(r.late) === 1,
  };
}

const INSERT = `INSERT INTO alarms (id, household_id, resident_id, type, class, severity, status, opened_at,
    updated_at, count, evidence, explanation_zh, explanation_en, notes, late)
  VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT DO NOTHING`;
const UPDATE = `UPDATE alarms SET resident_id = ?, class = ?, severity = ?, updated_at = ?, count = ?, evidence = ?,
    explanation_zh = ?, explanation_en = ?, notes = ?, late = ?
  WHERE id = ? AND status = 'open'`;
const CLOSE = `UPDATE alarms SET status = 'closed', closed_at = ?, closed_by = ?, close_reason = ?, updated_at = ?
  WHERE id = ? AND status = 'open'`;

/** The `alarms` table (migration 4) on the embedded store. */
export function createSqliteAlarmStore(db: Db): AlarmStore {
  const conn = connectionOf(db);
  const one = (sql: string, ...args: string[]) =>
    conn.use(() => {
      const row = conn.statement(sql).get(...args);
      return row ? toAlarm(row) : null;
    });
  return {
    get: (id) => one('SELECT * FROM alarms WHERE id = ?', id),
    open: (householdId, type) =>
      one("SELECT * FROM alarms WHERE household_id = ? AND type = ? AND status = 'open'", householdId, type),
    list: (filter = {}) =>
      conn.use(() => {
        const where: string[] = [];
        const args: Array<string | number> = [];
        if (filter.householdId !== undefined) {
          where.push('household_id = ?');
          args.push(filter.householdId);
        }
        if (filter.openOnly) where.push("status = 'open'");
        const sql = `SELECT * FROM alarms ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY opened_at DESC, rowid DESC LIMIT ?`;
        return conn
          .statement(sql)
          .all(...args, filter.limit ?? 500)
          .map(toAlarm);
      }),
    insert: (a) =>
      conn.use(() => {
        const result = conn
          .statement(INSERT)
          .run(
            a.id,
            a.householdId,
            a.residentId,
            a.type,
            a.class,
            a.severity,
            a.openedAt,
            a.updatedAt,
            a.count,
            JSON.stringify(a.evidence),
            a.explanation.zh,
            a.explanation.en,
            JSON.stringify(a.notes),
            a.late ? 1 : 0,
          );
        return Number(result.changes) === 1;
      }),
    update: (a) =>
      conn.use(() => {
        const result = conn
          .statement(UPDATE)
          .run(
            a.residentId,
            a.class,
            a.severity,
            a.updatedAt,
            a.count,
            JSON.stringify(a.evidence),
            a.explanation.zh,
            a.explanation.en,
            JSON.stringify(a.notes),
            a.late ? 1 : 0,
            a.id,
          );
        return Number(result.changes) === 1;
      }),
    close: (id, at, by, reason) =>
      conn.use(() => Number(conn.statement(CLOSE).run(at, by, reason, at, id).changes) === 1),
  };
}
