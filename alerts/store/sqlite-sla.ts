import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { AlarmClass } from '../alarm.ts';
import type { IncidentStage, IncidentState } from '../incidents/events.ts';
import type { StageRecord } from '../incidents/model.ts';
import type { SlaReport } from '../incidents/sla-report.ts';
import { joinedPathColumns, joinedPathOf } from './sqlite-path.ts';
import { nullableNum, nullableStr } from './sqlite-rows.ts';
import type { SlaStore } from './types.ts';

const OPENED = `SELECT i.id, i.household_id, i.responder_id, i.class, i.state, i.opened_at, i.closed_at, i.stages,
    ${joinedPathColumns('p')}
  FROM incidents i LEFT JOIN incident_path p ON p.incident_id = i.id
  WHERE i.opened_at >= ? AND i.opened_at < ? ORDER BY i.opened_at, i.id`;
const PUT_DAILY = `INSERT INTO sla_daily_reports (day, from_ms, to_ms, generated_at, report) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT (day) DO UPDATE SET from_ms = excluded.from_ms, to_ms = excluded.to_ms,
    generated_at = excluded.generated_at, report = excluded.report`;

/** The incidents the SLA figures read and the kept daily reports (migration 9) on the embedded store. */
export function createSqliteSlaStore(db: Db): SlaStore {
  const conn = connectionOf(db);
  return {
    incidentsOpened: (from, to) =>
      conn.use(() =>
        conn
          .statement(OPENED)
          .all(from, to)
          .map((r) => ({
            id: String(r.id),
            householdId: String(r.household_id),
            responderId: nullableStr(r.responder_id),
            class: String(r.class) as AlarmClass,
            state: String(r.state) as IncidentState,
            openedAt: Number(r.opened_at),
            closedAt: nullableNum(r.closed_at),
            stages: JSON.parse(String(r.stages)) as Partial<Record<IncidentStage, StageRecord>>,
            path: joinedPathOf(r),
          })),
      ),
    putDaily: (day, report, generatedAt) =>
      conn.use(() => {
        conn.statement(PUT_DAILY).run(day, report.from, report.to, generatedAt, JSON.stringify(report));
      }),
    getDaily: (day) =>
      conn.use(() => {
        const row = conn
          .statement('SELECT day, generated_at, report FROM sla_daily_reports WHERE day = ?')
          .get(day);
        if (!row) return null;
        return {
          day: String(row.day),
          generatedAt: Number(row.generated_at),
          report: JSON.parse(String(row.report)) as SlaReport,
        };
      }),
  };
}
