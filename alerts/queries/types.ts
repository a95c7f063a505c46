import type { Alarm } from '../alarm.ts';
import type { SlaRow } from '../incidents/sla-report.ts';
import type { DeclaredAway, KeptSlaReport } from '../store/types.ts';

export type { KeptSlaReport };

/** A household's newest baseline as the family page shows it (alerts/baselines.ts computes them). */
export interface BaselineSummary {
  /** days with data it was computed from */
  days: number;
  /** usual first movement, local minutes after midnight */
  firstMotionMin: number | null;
  /** usual first water use, local minutes after midnight */
  firstWaterMin: number | null;
  /** usual daily water volume, litres */
  dailyLiters: number | null;
}

/**
 * The alerts room's read side for the other rooms (the consoles, the tests): its tables (alarms,
 * alert_baselines, away_periods, incidents, sla_daily_reports) are read only here. Async although
 * SQLite answers at once: a second adapter (PostgreSQL) may not.
 */
export interface AlertsQueries {
  /** The newest baseline computed for a resident of the household; null when none was. */
  latestBaseline(householdId: string): Promise<BaselineSummary | null>;
  /** Incidents not yet resolved or cancelled, counted by class and state (the /metrics gauge). */
  openIncidentCounts(): Promise<Array<{ class: string; state: string; count: number }>>;
  /** Open alarms, newest first; of one household when given; at most `limit` (default 500). */
  openAlarms(filter?: { householdId?: string; limit?: number }): Promise<Alarm[]>;
  /** The incidents opened in [from, to) with their household's grid (the registry's), for the SLA figures. */
  slaRows(from: number, to: number): Promise<SlaRow[]>;
  /** The kept daily SLA report of a local day (YYYY-MM-DD); null when none was kept. */
  slaDailyReport(day: string): Promise<KeptSlaReport | null>;
  /** Every declared away period still stored (an expired one is removed when it expires). */
  declaredAwayPeriods(): Promise<DeclaredAway[]>;
}
