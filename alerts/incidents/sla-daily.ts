/**
 * The daily SLA report (issue 6, Reports): a node-cron job (config slaReportCron, read in the hub's local
 * time, historyUtcOffsetMinutes) computes the report of the local day just ended and keeps it in the
 * SlaStore (store/types.ts); GET /api/reports/sla/daily?date= reads it back (alerts/queries).
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../../kernel/clock.ts';
import type { HubConfig } from '../../kernel/config.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import type { SlaStore } from '../store/types.ts';
import { localDay, localDayRange, type SlaReport, slaReport } from './sla-report.ts';
import { readSlaRows } from './sla-rows.ts';

const DAY_MS = 86_400_000;

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
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Computes and keeps the report of a local day (YYYY-MM-DD); default: the local day before today. */
  produce(day?: string): Promise<SlaReport>;
}

export function createSlaDaily(deps: {
  /** the incidents read and the reports kept (store/types.ts) */
  sla: SlaStore;
  /** the households' grids */
  registry: Pick<Registry, 'households'>;
  clock: Clock;
  config: HubConfig;
  log: Logger;
}): SlaDaily {
  const offset = deps.config.historyUtcOffsetMinutes;
  let task: ScheduledTask | null = null;

  const produce = async (day = localDay(deps.clock.now() - DAY_MS, offset)): Promise<SlaReport> => {
    const now = deps.clock.now();
    const { from, to } = localDayRange(day, offset);
    const rows = await readSlaRows(deps.sla, deps.registry.households, from, to);
    const report = slaReport(rows, { from, to, utcOffsetMinutes: offset, asOf: now });
    await deps.sla.putDaily(day, report, now);
    deps.log.info(
      { day, incidents: report.total.incidents, breaches: report.total.breaches },
      'daily SLA report kept',
    );
    return report;
  };

  return {
    produce,
    async start() {
      task = cron.schedule(
        deps.config.slaReportCron,
        async () => {
          try {
            await produce();
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
