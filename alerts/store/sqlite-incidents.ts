import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { AlarmClass, AlarmType, Evidence, Severity } from '../alarm.ts';
import type { IncidentStage, IncidentState } from '../incidents/events.ts';
import { type Incident, type Outcome, residentCancelledAt, type StageRecord } from '../incidents/model.ts';
import { nullableNum, nullableStr, type Row } from './sqlite-rows.ts';
import type { AuditEntry, IncidentStore } from './types.ts';

export function toIncident(r: Row): Incident {
  const stages = JSON.parse(String(r.stages)) as Partial<Record<IncidentStage, StageRecord>>;
  const deadlines: Incident['deadlines'] = {};
  for (const [stage, rec] of Object.entries(stages) as Array<[IncidentStage, StageRecord]>) {
    deadlines[stage] = rec.dueAt;
  }
  const evidence = JSON.parse(String(r.evidence)) as Evidence[];
  return {
    id: String(r.id),
    householdId: String(r.household_id),
    residentId: nullableStr(r.resident_id),
    alarmType: String(r.alarm_type) as AlarmType,
    class: String(r.class) as AlarmClass,
    severity: String(r.severity) as Severity,
    state: String(r.state) as IncidentState,
    openedAt: Number(r.opened_at),
    updatedAt: Number(r.updated_at),
    closedAt: nullableNum(r.closed_at),
    pendingResponderId: nullableStr(r.pending_responder_id),
    assignedAt: nullableNum(r.assigned_at),
    responderId: nullableStr(r.responder_id),
    outcome: nullableStr(r.outcome) as Outcome | null,
    note: nullableStr(r.note),
    cancelReason: nullableStr(r.cancel_reason),
    alarmCount: Number(r.alarm_count),
    evidence,
    residentCancelledAt: residentCancelledAt(evidence),
    explanation: { zh: String(r.explanation_zh), en: String(r.explanation_en) },
    stages,
    deadlines,
  };
}

const toAudit = (r: Row): AuditEntry => ({
  id: Number(r.id),
  incidentId: String(r.incident_id),
  at: Number(r.at),
  action: String(r.action),
  fromState: nullableStr(r.from_state) as IncidentState | null,
  toState: nullableStr(r.to_state) as IncidentState | null,
  userId: nullableNum(r.user_id),
  username: nullableStr(r.username),
  ip: nullableStr(r.ip),
  userAgent: nullableStr(r.user_agent),
  detail: JSON.parse(String(r.detail)) as Record<string, unknown>,
});

const INSERT = `INSERT INTO incidents (id, household_id, resident_id, alarm_type, class, severity, state, opened_at,
    updated_at, alarm_count, evidence, explanation_zh, explanation_en, stages)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`;
const UPDATE = `UPDATE incidents SET state = ?, severity = ?, resident_id = ?, updated_at = ?, closed_at = ?,
    pending_responder_id = ?, assigned_at = ?, responder_id = ?, outcome = ?, note = ?, cancel_reason = ?,
    alarm_count = ?, evidence = ?, explanation_zh = ?, explanation_en = ?, stages = ?
  WHERE id = ? AND state = ?`;
const OPEN_FOR = `SELECT * FROM incidents
  WHERE household_id = ? AND alarm_type = ? AND state NOT IN ('resolved', 'cancelled')`;
const BUSY = `SELECT responder_id, pending_responder_id FROM incidents
  WHERE state NOT IN ('resolved', 'cancelled') AND id <> ?
    AND (responder_id IS NOT NULL OR pending_responder_id IS NOT NULL)`;
const AUDIT = `INSERT INTO incident_audit (incident_id, at, action, from_state, to_state, user_id, username, ip,
    user_agent, detail) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
const LAST_ESCALATIONS = `SELECT incident_id, at, json_extract(detail, '$.step') AS step FROM incident_audit
  WHERE action = 'escalated' AND incident_id IN (SELECT value FROM json_each(?)) ORDER BY id`;

/** The `incidents`, `incident_alarms` and `incident_audit` tables (migration 7) on the embedded store. */
export function createSqliteIncidentStore(db: Db): IncidentStore {
  const conn = connectionOf(db);
  const one = (sql: string, ...args: string[]) =>
    conn.use(() => {
      const row = conn.statement(sql).get(...args);
      return row ? toIncident(row) : null;
    });
  return {
    get: (id) => one('SELECT * FROM incidents WHERE id = ?', id),
    openFor: (householdId, type) => one(OPEN_FOR, householdId, type),
    insert: (i) =>
      conn.use(() => {
        const r = conn
          .statement(INSERT)
          .run(
            i.id,
            i.householdId,
            i.residentId,
            i.alarmType,
            i.class,
            i.severity,
            i.state,
            i.openedAt,
            i.updatedAt,
            i.alarmCount,
            JSON.stringify(i.evidence),
            i.explanation.zh,
            i.explanation.en,
            JSON.stringify(i.stages),
          );
        return Number(r.changes) === 1;
      }),
    update: (next, expectedState) =>
      conn.use(() => {
        const r = conn
          .statement(UPDATE)
          .run(
            next.state,
            next.severity,
            next.residentId,
            next.updatedAt,
            next.closedAt,
            next.pendingResponderId,
            next.assignedAt,
            next.responderId,
            next.outcome,
            next.note,
            next.cancelReason,
            next.alarmCount,
            JSON.stringify(next.evidence),
            next.explanation.zh,
            next.explanation.en,
            JSON.stringify(next.stages),
            next.id,
            expectedState,
          );
        return Number(r.changes) === 1;
      }),
    list: (filter = {}) =>
      conn.use(() => {
        const where: string[] = [];
        const args: Array<string | number> = [];
        const eq = (col: string, v: string | undefined) => {
          if (v === undefined) return;
          where.push(`${col} = ?`);
          args.push(v);
        };
        eq('state', filter.state);
        if (filter.active) where.push("state NOT IN ('resolved', 'cancelled')");
        eq('class', filter.class);
        eq('household_id', filter.householdId);
        if (filter.responderId !== undefined) {
          where.push('(responder_id = ? OR pending_responder_id = ?)');
          args.push(filter.responderId, filter.responderId);
        }
        if (filter.households !== undefined) {
          if (filter.households.length === 0) return [];
          where.push(`household_id IN (${filter.households.map(() => '?').join(', ')})`);
          args.push(...filter.households);
        }
        if (filter.from !== undefined) {
          where.push('opened_at >= ?');
          args.push(filter.from);
        }
        if (filter.to !== undefined) {
          where.push('opened_at < ?');
          args.push(filter.to);
        }
        const sql = `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY opened_at DESC, id LIMIT ?`;
        return conn
          .statement(sql)
          .all(...args, filter.limit ?? 500)
          .map(toIncident);
      }),
    busyResponders: (exceptIncidentId) =>
      conn.use(() => {
        const out = new Set<string>();
        for (const r of conn.statement(BUSY).all(exceptIncidentId)) {
          for (const v of [r.responder_id, r.pending_responder_id]) if (v !== null) out.add(String(v));
        }
        return out;
      }),
    linkAlarm: (incidentId, alarmId, at) =>
      conn.use(() => {
        conn
          .statement(
            'INSERT OR IGNORE INTO incident_alarms (incident_id, alarm_id, joined_at) VALUES (?, ?, ?)',
          )
          .run(incidentId, alarmId, at);
      }),
    alarmIds: (incidentId) =>
      conn.use(() =>
        conn
          .statement(
            'SELECT alarm_id FROM incident_alarms WHERE incident_id = ? ORDER BY joined_at, alarm_id',
          )
          .all(incidentId)
          .map((r) => String(r.alarm_id)),
      ),
    audit: (incidentId, at, action, actor, change = {}) =>
      conn.use(() => {
        conn
          .statement(AUDIT)
          .run(
            incidentId,
            at,
            action,
            change.from ?? null,
            change.to ?? null,
            actor.userId,
            actor.username,
            actor.ip,
            actor.userAgent,
            JSON.stringify(change.detail ?? {}),
          );
      }),
    lastEscalations: (incidentIds) =>
      conn.use(() => {
        const last = new Map<string, { step: string; at: number }>();
        if (incidentIds.length === 0) return last;
        for (const r of conn.statement(LAST_ESCALATIONS).all(JSON.stringify(incidentIds)))
          last.set(String(r.incident_id), { step: String(r.step), at: Number(r.at) });
        return last;
      }),
    auditOf: (incidentId) =>
      conn.use(() =>
        conn
          .statement('SELECT * FROM incident_audit WHERE incident_id = ? ORDER BY id')
          .all(incidentId)
          .map(toAudit),
      ),
  };
}
