import type { AwayService } from '../alerts/away.ts';
import type { IncidentPolicyService } from '../alerts/incidents/policy.ts';
import type { IncidentService } from '../alerts/incidents/service.ts';
import type { DeliveryLogReader } from '../alerts/notifications/delivery-log.ts';
import type { AlertsQueries } from '../alerts/queries/types.ts';
import type { SettingsOverridesService } from '../alerts/settings-overrides.ts';
import type { IngestReads } from '../ingest/index.ts';
import type { History } from '../ingest/influx-history.ts';
import type { Clock } from '../kernel/clock.ts';
import type { HubConfig } from '../kernel/config.ts';
import type { StoreHealth } from '../kernel/health/types.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { ImportJobs } from '../kernel/provisioning/import-jobs.ts';
import type { Registry } from '../kernel/registry/index.ts';
import type { Guard } from './auth/guard.ts';
import type { SessionStore } from './store/types.ts';

/**
 * What the route plugins get: the console's deps they need, plus the auth guard. No database: the
 * console reads the rooms' data through their query interfaces (design.md, "Rooms own their data").
 */
export interface RouteContext {
  config: HubConfig;
  registry: Registry;
  /** the console's login sessions (console/store) */
  sessions: SessionStore;
  /** provisioning import jobs (kernel/provisioning/import-jobs.ts) */
  imports: ImportJobs;
  clock: Clock;
  metrics: Metrics;
  guard: Guard;
  health: () => { mqtt: boolean; clients: number };
  /** whether the store answers (GET /healthz) */
  storeHealth: StoreHealth;
  ingest: IngestReads;
  /** the alerts room's queries: open alarms, baselines, SLA rows and kept reports */
  alerts: AlertsQueries;
  /** away-suppression of households (alerts room); null in a console started without the alerts room */
  away: AwayService | null;
  /** per-household/resident alert-settings overrides (alerts room); null without the alerts room */
  alertSettings: SettingsOverridesService | null;
  /** incidents (alerts room); null in a console started without the alerts room */
  incidents: IncidentService | null;
  /** incident deadlines and ladders per class/alarm type/household (alerts room); null without it */
  incidentPolicy: IncidentPolicyService | null;
  /** history questions (InfluxDB or local aggregates); null in a console started without the history module */
  history: HistoryReader | null;
  /** the notification delivery log (notifications room); null in a console started without it */
  notificationDeliveries: DeliveryLogReader | null;
}

/** The questions of the history module (ingest/influx-history.ts) the console asks. */
export type HistoryReader = Pick<History, 'activity' | 'waterUse' | 'vitals' | 'battery' | 'lastSeen'>;
