/**
 * The daily SLA report (issue 6, Reports): a node-cron job (config slaReportCron, read in the hub's local
 * time, historyUtcOffsetMinutes) computes the report of the local day just ended and keeps it in
 * `sla_daily_reports` (migration 9); GET /api/reports/sla/daily?date= reads it back.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../../kernel/clock.ts';
import type { HubConfig } from '../../kernel/config.ts';
import type { Db } from '../../kernel/db.ts';
import type { Logger } from '../../kernel/logger.ts';
import { localDay, localDayRange, readSlaRows, type SlaReport, slaReport } from './sla-report.ts';

const DAY_MS = 86_400_000;

/** The kept reports. */
export class SlaDailyStore {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** Keeps a day's report; a re-run of the same day replaces it. */
  put(day: string, report: SlaReport, generatedAt: number): void {
    this.#db
      .prepare(
        `INSERT INTO sla_daily_reports (day, from_ms, to_ms, generated_at, report) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (day) DO UPDATE SET from_ms = excluded.from_ms, to_ms = excluded.to_ms,
           generated_at = excluded.generated_at, report = excluded.report`,
      )
      .run(day, report.from, report.to, generatedAt, JSON.stringify(report));
  }

  get(day: string): { day: string; generatedAt: number; report: SlaReport } | null {
    const row = this.#db
      .prepare('SELECT day, generated_at, report FROM sla_daily_reports WHERE day = ?')
      .get(day);
    if (!row) return null;
    return {
      day: String(row.day),
      generatedAt: Number(row.generated_at),
      report: JSON.parse(String(row.report)) as SlaReport,
    };
  }
}

/**
 * node-cron's time zone for a whole-hour offset east of UTC: the IANA `Etc/GMT` zones count the other way
 * (Etc/GMT-8 is UTC+8). The hub's local day is a fixed offset, so the job follows it, not the machine's zone.
 */
export function cronTimezone(offsetMinutes: number): string {
  const hours = offsetMinutes / 60;
  if (hours === 0) return 'Etc/UTC';
  return `Etc/GMT${hours > 0 ? '-' : '+'}${Math.abs(hours)}`;
}

export interface SlaDaily {
  readonly store: SlaDailyStore;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Computes and keeps the report of a local day (YYYY-MM-DD); default: the local day before today. */
  produce(day?: string): SlaReport;
}

export function createSlaDaily(deps: { db: Db; clock: Clock; config: HubConfig; log: Logger }): SlaDaily {
  const offset = deps.config.historyUtcOffsetMinutes;
  const store = new SlaDailyStore(deps.db);
  let task: ScheduledTask | null = null;

  const produce = (day = localDay(deps.clock.now() - DAY_MS, offset)): SlaReport => {
    const now = deps.clock.now();
    const { from, to } = localDayRange(day, offset);
    const report = slaReport(readSlaRows(deps.db, from, to), {
      from,
      to,
      utcOffsetMinutes: offset,
      asOf: now,
    });
    store.put(day, report, now);
    deps.log.info(
      { day, incidents: report.total.incidents, breaches: report.total.breaches },
      'daily SLA report kept',
    );
    return report;
  };

  return {
    store,
    produce,
    async start() {
      task = cron.schedule(
        deps.config.slaReportCron,
        () => {
          try {
            produce();
          } catch (err) {
            deps.log.error({ err }, 'daily SLA report failed');
          }
        },
        { timezone: cronTimezone(offset), name: 'sla-daily-report' },
      );
    },
    async stop() {
      await task?.stop();
      task = null;
    },
  };
}
