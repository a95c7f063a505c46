import { type Db, Statements } from '../kernel/db.ts';
import type { Alarm, AlarmClass, AlarmNote, AlarmType, Evidence, Severity } from './alarm.ts';

type Row = Record<string, unknown>;

const nullableNum = (v: unknown) => (v === null || v === undefined ? null : Number(v));
const nullableStr = (v: unknown) => (v === null || v === undefined ? null : String(v));

function toAlarm(r: Row): Alarm {
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

/** The `alarms` table (migration 4). Plain reads and writes; the dedupe logic lives in alarms.ts. */
export class AlarmStore {
  readonly #sql: Statements;
  constructor(db: Db) {
    this.#sql = new Statements(db);
  }

  get(id: string): Alarm | null {
    const row = this.#sql.get('SELECT * FROM alarms WHERE id = ?').get(id);
    return row ? toAlarm(row) : null;
  }

  /** The open alarm of this household and type, if any (at most one: a partial unique index). */
  open(householdId: string, type: AlarmType): Alarm | null {
    const row = this.#sql
      .get("SELECT * FROM alarms WHERE household_id = ? AND type = ? AND status = 'open'")
      .get(householdId, type);
    return row ? toAlarm(row) : null;
  }

  /** Alarms, newest first; optionally of one household and/or only the open ones. */
  list(filter: { householdId?: string; openOnly?: boolean; limit?: number } = {}): Alarm[] {
    const where: string[] = [];
    const args: Array<string | number> = [];
    if (filter.householdId !== undefined) {
      where.push('household_id = ?');
      args.push(filter.householdId);
    }
    if (filter.openOnly) where.push("status = 'open'");
    const sql = `SELECT * FROM alarms ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY opened_at DESC, rowid DESC LIMIT ?`;
    return this.#sql
      .get(sql)
      .all(...args, filter.limit ?? 500)
      .map(toAlarm);
  }

  /** Inserts a new open alarm; false when one of this household and type is already open. */
  insert(a: Alarm): boolean {
    const result = this.#sql
      .get(
        `INSERT INTO alarms (id, household_id, resident_id, type, class, severity, status, opened_at, updated_at,
           count, evidence, explanation_zh, explanation_en, notes, late)
         VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT DO NOTHING`,
      )
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
  }

  /** Writes the mutable fields of an open alarm; false when it is no longer open. */
  update(a: Alarm): boolean {
    const result = this.#sql
      .get(
        `UPDATE alarms SET resident_id = ?, class = ?, severity = ?, updated_at = ?, count = ?, evidence = ?,
           explanation_zh = ?, explanation_en = ?, notes = ?, late = ?
         WHERE id = ? AND status = 'open'`,
      )
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
  }

  /** Closes an open alarm; false when it was not open. */
  close(id: string, at: number, by: string, reason: string): boolean {
    const result = this.#sql
      .get(
        `UPDATE alarms SET status = 'closed', closed_at = ?, closed_by = ?, close_reason = ?, updated_at = ?
         WHERE id = ? AND status = 'open'`,
      )
      .run(at, by, reason, at, id);
    return Number(result.changes) === 1;
  }
}
