/**
 * The alerts room's store interfaces (design.md, "Rooms own their data"): every method returns a Promise,
 * even where SQLite answers at once, so that a second adapter (PostgreSQL) is an adapter and not a
 * rewrite. The SQLite adapters are `sqlite-*.ts` beside this file (`createSqliteAlertsStores`, sqlite.ts);
 * the room's SQL lives there and in ../queries/sqlite.ts only. The services (alarms.ts, timers.ts,
 * incidents/service.ts, …) hold the logic and call these.
 *
 * Transactions: `AlertsStores.transaction` runs its body in one transaction of the store (a savepoint of
 * the caller's when it runs inside one: a rule inside ingest's group commit, an incident opened inside
 * the transaction that raised its alarm). Inside a body, await store calls one after the other.
 */
// Only the room's model modules, never a service: the services import this file.
import type { Alarm, AlarmType } from '../alarm.ts';
import type { PathPoint, PathTimes } from '../incidents/alarm-path.ts';
import type { IncidentState } from '../incidents/events.ts';
import type { Actor, Incident } from '../incidents/model.ts';
import type { PolicyScope } from '../incidents/policy-schema.ts';
import type { SlaReport, SlaRow } from '../incidents/sla-report.ts';

/** A declared away period of a household (away.ts). */
export interface DeclaredAway {
  householdId: string;
  /** epoch ms: the suppression expires then */
  until: number;
  reason: string;
  setBy: string;
  setAt: number;
}

/** A resident's usual day, from the hub's own hourly aggregates (baselines.ts computes it). */
export interface Baseline {
  residentId: string;
  householdId: string;
  /** complete local days with data it was computed from */
  days: number;
  /** usual first movement after the night, local minutes after midnight (median of the days' first hours) */
  firstMotionMin: number | null;
  /** median absolute deviation of the first movement, minutes */
  firstMotionSpreadMin: number | null;
  /** usual first water use after the night, local minutes after midnight */
  firstWaterMin: number | null;
  /** usual daily water volume, litres */
  dailyLiters: number | null;
  /** usual motion events in the night hours */
  nightMotion: number | null;
  computedAt: number;
}

/** Who a settings override applies to: every resident of a household, or one resident (who wins). */
export type SettingsScope = 'household' | 'resident';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
/** pending: an attempt is due (or running); delivered; failed: given up (attempts spent or refused) */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One delivery of one notification to one target (a webhook URL, a device). */
export interface Delivery {
  id: number;
  /** epoch ms, hub clock, it was created */
  at: number;
  channel: string;
  /** the webhook URL or the device id */
  target: string;
  /** the notification's event (notifications/types.ts NotificationEvent) */
  event: string;
  incidentId: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  /** epoch ms of the next attempt while pending, else null */
  nextAttemptAt: number | null;
  deliveredAt: number | null;
}

/** A kept daily SLA report (incidents/sla-daily.ts). */
export interface KeptSlaReport {
  /** YYYY-MM-DD, local */
  day: string;
  generatedAt: number;
  report: SlaReport;
}

/** The `alarms` table: plain reads and writes; the dedupe logic lives in alarms.ts. */
export interface AlarmStore {
  get(id: string): Promise<Alarm | null>;
  /** The open alarm of this household and type, if any (at most one). */
  open(householdId: string, type: AlarmType): Promise<Alarm | null>;
  /** Alarms, newest first; optionally of one household and/or only the open ones; at most `limit` (500). */
  list(filter?: { householdId?: string; openOnly?: boolean; limit?: number }): Promise<Alarm[]>;
  /** Inserts a new open alarm; false when one of this household and type is already open. */
  insert(a: Alarm): Promise<boolean>;
  /** Writes the mutable fields of an open alarm; false when it is no longer open. */
  update(a: Alarm): Promise<boolean>;
  /** Closes an open alarm; false when it was not open. */
  close(id: string, at: number, by: string, reason: string): Promise<boolean>;
}

/** One audit entry (incident_audit, append-only). */
export interface AuditEntry {
  id: number;
  incidentId: string;
  at: number;
  action: string;
  fromState: IncidentState | null;
  toState: IncidentState | null;
  userId: number | null;
  username: string | null;
  ip: string | null;
  userAgent: string | null;
  detail: Record<string, unknown>;
}

export interface IncidentFilter {
  state?: IncidentState;
  /** true: not resolved or cancelled (the dispatcher's queue) */
  active?: boolean;
  class?: Incident['class'];
  householdId?: string;
  /** only these households (a family user's); empty: none */
  households?: readonly string[];
  /** pending or accepted responder */
  responderId?: string;
  /** opened at or after, epoch ms */
  from?: number;
  /** opened before, epoch ms */
  to?: number;
  limit?: number;
}

/** Incidents, the alarms joined to them and their append-only audit trail. */
export interface IncidentStore {
  get(id: string): Promise<Incident | null>;
  /** The not-closed incident of a household and alarm type (at most one). */
  openFor(householdId: string, type: AlarmType): Promise<Incident | null>;
  /** Inserts a new incident; false when another one of its household and type is open (lost the race). */
  insert(i: Incident): Promise<boolean>;
  /**
   * Writes the mutable fields of `next`, only if the incident is still in `expectedState` (the conditional
   * UPDATE that lets exactly one of two concurrent dispatchers win). False when it was not.
   */
  update(next: Incident, expectedState: IncidentState): Promise<boolean>;
  /** Newest first; at most `limit` (500). */
  list(filter?: IncidentFilter): Promise<Incident[]>;
  /** Responders pending or accepted on a not-closed incident other than `exceptIncidentId` (busy). */
  busyResponders(exceptIncidentId: string): Promise<Set<string>>;
  linkAlarm(incidentId: string, alarmId: string, at: number): Promise<void>;
  /** The alarms joined to an incident, in the order they joined. */
  alarmIds(incidentId: string): Promise<string[]>;
  audit(
    incidentId: string,
    at: number,
    action: string,
    actor: Actor,
    change?: { from?: IncidentState; to?: IncidentState; detail?: Record<string, unknown> },
  ): Promise<void>;
  /** The last escalation step of each of these incidents that has one (the queue's mark after a reload). */
  lastEscalations(incidentIds: readonly string[]): Promise<Map<string, { step: string; at: number }>>;
  /** An incident's audit entries, oldest first. */
  auditOf(incidentId: string): Promise<AuditEntry[]>;
}

/** Each incident's alarm path (incident_path): epoch ms per point, hub clock (incidents/alarm-path.ts). */
export interface PathStore {
  /** The path of a new incident, written in the transaction that opens it. */
  insert(incidentId: string, times: PathTimes): Promise<void>;
  /**
   * Records a point not recorded yet and answers the path with it; null when the point was recorded
   * already (the first time counts) or the incident has no path (opened before the hub measured them).
   */
  mark(incidentId: string, point: PathPoint, at: number): Promise<PathTimes | null>;
  get(incidentId: string): Promise<PathTimes | null>;
}

/** A persisted rule timer (alert_timers). */
export interface StoredTimer {
  key: string;
  kind: string;
  householdId: string;
  dueAt: number;
  armedAt: number;
  payload: unknown;
}

export interface TimerStore {
  /** Every pending timer, soonest first. */
  all(): Promise<StoredTimer[]>;
  /** Arms (or re-arms: replaces) the timer of `t.key`. */
  put(t: StoredTimer): Promise<void>;
  /** Drops the timer `key`; true when one was pending. */
  delete(key: string): Promise<boolean>;
  get(key: string): Promise<StoredTimer | null>;
  /**
   * Claims the timer armed as (key, dueAt, armedAt) to fire it: removes and returns it, or null when it
   * was re-armed or cancelled meanwhile, or claimed by another process (so only one fires it).
   */
  claim(key: string, dueAt: number, armedAt: number): Promise<StoredTimer | null>;
  /** The pending timers of a kind whose key starts with `keyPrefix`, soonest first. */
  list(filter: { kind: string; keyPrefix: string }): Promise<StoredTimer[]>;
}

/** Small per-rule state that must survive a restart: JSON values by key (alert_state). */
export interface RuleStateStore {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown, at: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/** Personal baselines, one per resident (alert_baselines). */
export interface BaselineStore {
  get(residentId: string): Promise<Baseline | null>;
  /** Keeps (replaces) a resident's baseline. */
  put(b: Baseline): Promise<void>;
}

/** Per-household and per-resident overrides of the rule settings, as stored (alert_settings). */
export interface SettingsOverridesStore {
  /** The stored overrides (parsed JSON, not yet validated); null when none. */
  get(scope: SettingsScope, id: string): Promise<unknown>;
  put(scope: SettingsScope, id: string, overrides: unknown, at: number): Promise<void>;
  /** Drops the scope's overrides; false when it had none. */
  delete(scope: SettingsScope, id: string): Promise<boolean>;
}

/** Declared away periods (away_periods), one per household. */
export interface AwayStore {
  /** Keeps (replaces) the household's declared period. */
  put(d: DeclaredAway): Promise<void>;
  /** Drops the household's declared period; false when it had none. */
  delete(householdId: string): Promise<boolean>;
  /** Drops the period only if it still ends at `until` (not replaced meanwhile); false when it did not. */
  expire(householdId: string, until: number): Promise<boolean>;
  /** The declared period that ends after `now`, if any. */
  inForce(householdId: string, now: number): Promise<DeclaredAway | null>;
}

/** Incident deadlines and ladders per class, alarm type and household, as stored (incident_policy). */
export interface PolicyStore {
  /** The stored override (parsed JSON, not yet validated); null when none. */
  get(scope: PolicyScope, key: string): Promise<unknown>;
  put(scope: PolicyScope, key: string, policy: unknown, at: number): Promise<void>;
  /** Drops the scope's override; false when it had none. */
  delete(scope: PolicyScope, key: string): Promise<boolean>;
}

/** What an SLA report needs of one incident, as the room stores it (the household's grid is the registry's). */
export type SlaIncident = Omit<SlaRow, 'grid'>;

/** The incidents the SLA figures are computed from, and the kept daily reports (sla_daily_reports). */
export interface SlaStore {
  /** The incidents opened in [from, to), oldest first. */
  incidentsOpened(from: number, to: number): Promise<SlaIncident[]>;
  /** Keeps a day's report; a re-run of the same day replaces it. */
  putDaily(day: string, report: SlaReport, generatedAt: number): Promise<void>;
  getDaily(day: string): Promise<KeptSlaReport | null>;
}

/** The notification deliveries (notification_deliveries): the outbox's rows and the delivery log. */
export interface DeliveryStore {
  /** A new pending delivery; `body` is what a retry sends again (kept until delivered or given up). */
  create(d: {
    at: number;
    channel: string;
    target: string;
    event: string;
    incidentId: string;
    body: string | null;
  }): Promise<number>;
  delivered(id: number, attempts: number, at: number): Promise<void>;
  /** A failed attempt: retried at `nextAttemptAt`, or given up (null). */
  attemptFailed(id: number, attempts: number, error: string, nextAttemptAt: number | null): Promise<void>;
  /** Every pending delivery with what it sends, oldest first (the outbox's work). */
  pendingAll(): Promise<Array<Delivery & { body: string }>>;
  /** How many deliveries wait in the outbox (pending: not yet delivered nor given up), by channel. */
  pendingCounts(): Promise<Array<{ channel: string; count: number }>>;
  get(id: number): Promise<Delivery | null>;
  /** Newest first, paged by id. */
  list(opts: {
    limit: number;
    beforeId?: number | undefined;
    status?: DeliveryStatus | undefined;
    channel?: string | undefined;
  }): Promise<Delivery[]>;
}

/** Runs a body in one transaction of the room's store (a savepoint inside an open one). */
export interface Transactions {
  /** Rolled back when `fn` rejects; what it deferred (bus events) runs after the commit, or never. */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}

/** Every store of the alerts room (and of its notifications part), on one store connection. */
export interface AlertsStores extends Transactions {
  alarms: AlarmStore;
  incidents: IncidentStore;
  path: PathStore;
  timers: TimerStore;
  ruleState: RuleStateStore;
  baselines: BaselineStore;
  settings: SettingsOverridesStore;
  away: AwayStore;
  policy: PolicyStore;
  sla: SlaStore;
  deliveries: DeliveryStore;
}
