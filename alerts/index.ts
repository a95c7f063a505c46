import cron, { type ScheduledTask } from 'node-cron';
import type { InCommitProcessors } from '../ingest/in-commit.ts';
import type { HourlyTotals } from '../ingest/queries/hourly-totals.ts';
import type { RoomDeps } from '../kernel/room.ts';
import { AlarmService } from './alarms.ts';
import { AwayService } from './away.ts';
import { Baselines } from './baselines.ts';
import { Explain } from './explain.ts';
import { LocalHours } from './hours.ts';
import { IncidentService } from './incidents/service.ts';
import { localDay, localDayRange, slaReport } from './incidents/sla-report.ts';
import { MessageCause } from './message-cause.ts';
import { createSqliteAlertsQueries } from './queries/sqlite.ts';
import type { AlertsQueries } from './queries/types.ts';
import { RuleState } from './rule-state.ts';
import { createAwayPositionRule } from './rules/away-position.ts';
import type { Rule, RuleContext } from './rules/context.ts';
import { createDeviceHealthRule } from './rules/device-health.ts';
import { createFallRule } from './rules/fall.ts';
import { createInactivityRule } from './rules/inactivity.ts';
import { createLeakRule } from './rules/leak.ts';
import { createSosRule } from './rules/sos.ts';
import { createVitalsRule } from './rules/vitals.ts';
import { createWanderingRule } from './rules/wandering.ts';
import { createWaterFlowRule } from './rules/water-flow.ts';
import { createWaterUseRule } from './rules/water-use.ts';
import { createWristbandRemovedRule } from './rules/wristband-removed.ts';
import { type AlertSettings, alertSettings } from './settings.ts';
import { SettingsOverridesService } from './settings-overrides.ts';
import { createSqliteAlertsStores } from './store/sqlite.ts';
import type { AlertsStores } from './store/types.ts';
import { RuleTimers } from './timers.ts';

export interface AlertsDeps extends Pick<RoomDeps, 'db' | 'bus' | 'clock' | 'registry' | 'log'> {
  /** where the open-incident gauge goes (/metrics); none in tests that build the room alone */
  metrics?: RoomDeps['metrics'];
  /**
   * Where accepted messages reach the rules: inside the transaction that stores each one, so the rule
   * state it changes (alarms, timers) commits with it, one sync for both (ingest's InCommitProcessors).
   */
  accepted: Pick<InCommitProcessors, 'add' | 'removeOwner'>;
  /** Hub-wide thresholds over the defaults (settings.ts); per household/resident: `overrides`. */
  settings?: Partial<AlertSettings>;
  /** The ingest room's hourly aggregates (ingest/hourly-totals.ts): what the baselines are computed from. */
  hourly: HourlyTotals;
  /** The room's stores (store/types.ts); by default the SQLite adapters on `db` (store/sqlite.ts). */
  stores?: AlertsStores;
  /** the hub's local time (hub.ts passes the whole config): the rules' hours, the SLA gauge's day; without it UTC+8 */
  config?: Pick<RoomDeps['config'], 'historyUtcOffsetMinutes'>;
}

export interface AlertsRoom {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly alarms: AlarmService;
  /** away-suppression: declared periods (console/routes/away.ts) and the wristband's */
  readonly away: AwayService;
  /** personal baselines: recomputed nightly (settings.baselineCron) and on demand (`recomputeAll`) */
  readonly baselines: Baselines;
  /** the hub-wide defaults; the rules use `overrides.settingsFor(household, resident)` */
  readonly settings: AlertSettings;
  /** per-household and per-resident overrides (console/routes/alert-settings.ts) */
  readonly overrides: SettingsOverridesService;
  /** incidents opened from the alarms, their lifecycle and escalation (alerts/incidents/) */
  readonly incidents: IncidentService;
  /** the room's async query interface (queries/types.ts): what the other rooms read of its tables */
  readonly queries: AlertsQueries;
}

const OWNER = 'alerts';

/**
 * The alerts room, detection part (issue 5): rules per device type turn accepted messages and silences
 * into alarms (alarm.ts) on the bus and in the store. Its state (open alarms, pending timers, streaks)
 * lives in the embedded store, never in InfluxDB, and survives a restart.
 */
export function createAlerts(deps: AlertsDeps): AlertsRoom {
  const stores = deps.stores ?? createSqliteAlertsStores(deps.db);
  // The homes' local time is the hub's one configured offset (historyUtcOffsetMinutes, which the pages
  // and reports use too), unless the rules' settings give their own.
  const offset = deps.config ? { utcOffsetMinutes: deps.config.historyUtcOffsetMinutes } : {};
  const settings = alertSettings({ ...offset, ...deps.settings });
  const hours = new LocalHours(settings.utcOffsetMinutes);
  const { bus, clock, log } = deps;
  const alarms = new AlarmService({ store: stores.alarms, tx: stores, bus, clock, log });
  const timers = new RuleTimers({ store: stores.timers, tx: stores, clock, log });
  const state = new RuleState(stores.ruleState, deps.clock);
  const away = new AwayService({
    store: stores.away,
    tx: stores,
    bus: deps.bus,
    clock: deps.clock,
    timers,
    state,
    log: deps.log,
  });
  const baselines = new Baselines({
    store: stores.baselines,
    hourly: deps.hourly,
    clock: deps.clock,
    registry: deps.registry,
    hours,
    settings,
    log: deps.log,
  });
  const overrides = new SettingsOverridesService({
    store: stores.settings,
    clock: deps.clock,
    log: deps.log,
    defaults: settings,
  });
  const cause = new MessageCause();
  const incidents = new IncidentService({
    store: stores.incidents,
    paths: stores.path,
    cause,
    metrics: deps.metrics,
    policy: stores.policy,
    tx: stores,
    bus: deps.bus,
    clock: deps.clock,
    log: deps.log.child({ part: 'incidents' }),
    timers,
    alarms,
    registry: deps.registry,
  });
  let nightly: ScheduledTask | null = null;
  const ctx: RuleContext = {
    alarms,
    away,
    baselines,
    timers,
    state,
    settingsFor: (householdId, residentId) => overrides.settingsFor(householdId, residentId),
    hours,
    explain: new Explain(hours),
    registry: deps.registry,
    clock: deps.clock,
    log: deps.log,
  };
  const rules: Rule[] = [
    createSosRule(ctx),
    createFallRule(ctx),
    createLeakRule(ctx),
    createWaterFlowRule(ctx),
    createVitalsRule(ctx),
    createInactivityRule(ctx),
    createWristbandRemovedRule(ctx),
    createDeviceHealthRule(ctx),
    createAwayPositionRule(ctx),
    createWanderingRule(ctx),
    createWaterUseRule(ctx),
  ];

  /**
   * Each rule in turn, awaited (their store calls one after the other: inside a transaction they must
   * not overlap). Each is isolated: one that throws is logged and the others still run.
   */
  const each = async (what: string, fn: (rule: Rule) => Promise<void> | undefined) => {
    for (const rule of rules) {
      try {
        await fn(rule);
      } catch (err) {
        deps.log.error({ err, rule: rule.name, what }, 'rule failed');
      }
    }
  };
  /**
   * The rules' reaction to a presence event, in one transaction of the store: the read-modify-write of
   * their state (which devices are silent) is not interleaved with another event's, as it was not when
   * the store was synchronous. Never rejects (a listener).
   */
  const presence = (what: string, fn: (rule: Rule) => Promise<void> | undefined) =>
    stores
      .transaction(() => each(what, fn))
      .catch((err: unknown) => {
        deps.log.error({ err, what }, 'rules failed');
      });

  const queries = createSqliteAlertsQueries(deps.db, deps.registry.households);
  deps.metrics?.labelledGauge(
    'hub_incidents_open',
    'Incidents not yet resolved or cancelled, by class and state',
    ['class', 'state'],
    async () =>
      (await queries.openIncidentCounts()).map((r) => [{ class: r.class, state: r.state }, r.count]),
  );
  /** minutes east of UTC: China Standard Time, config historyUtcOffsetMinutes' default */
  const CHINA_UTC_OFFSET_MINUTES = 480;
  // Today's SLA in time (the hub's local day, config historyUtcOffsetMinutes), as the supervisor page
  // and the daily report count it; a deadline with nothing counted yet has no sample.
  deps.metrics?.labelledGauge(
    'hub_sla_in_time_ratio',
    "Share of today's emergencies (hub local day) that met the deadline, 0..1: acknowledged within 60 s, on site within 15 min",
    ['deadline'],
    async () => {
      const now = deps.clock.now();
      const offset = deps.config?.historyUtcOffsetMinutes ?? CHINA_UTC_OFFSET_MINUTES;
      const { from, to } = localDayRange(localDay(now, offset), offset);
      const { total } = slaReport(await queries.slaRows(from, to), {
        from,
        to,
        utcOffsetMinutes: offset,
        asOf: now,
      });
      const samples: Array<[{ deadline: string }, number | null]> = [
        [{ deadline: 'acknowledged_60s' }, total.acknowledgedWithin60s.share],
        [{ deadline: 'on_site_15min' }, total.onSiteWithin15min.share],
      ];
      return samples.filter((s): s is [{ deadline: string }, number] => s[1] !== null);
    },
  );
  return {
    queries,
    alarms,
    away,
    baselines,
    settings,
    overrides,
    incidents,
    async start() {
      // Before the timers start: escalation steps that fell due while the hub was down need their handler.
      incidents.start();
      // Inside the message's group commit (awaited there): what the rules change commits with it.
      // The message's PUBLISH is the `received` of an incident the rules open from it (alarm path).
      deps.accepted.add(OWNER, (m) =>
        cause.during(m.receivedAt, () => each('message', (r) => r.onMessage?.(m))),
      );
      deps.bus.on('deviceSilent', OWNER, (e) => presence('silent', (r) => r.onSilent?.(e)));
      deps.bus.on('deviceHeard', OWNER, (e) => presence('heard', (r) => r.onHeard?.(e)));
      // A participant: the timers held back while away re-arm inside the transaction that ended it.
      deps.bus.within('awayEnded', OWNER, (e) => each('away ended', (r) => r.onAwayEnded?.(e)));
      await timers.start();
      nightly = cron.schedule(settings.baselineCron, async () => {
        try {
          await baselines.recomputeAll();
        } catch (err) {
          deps.log.error({ err }, 'nightly baseline recompute failed');
        }
      });
    },
    async stop() {
      await nightly?.stop();
      nightly = null;
      deps.bus.removeOwner(OWNER);
      deps.accepted.removeOwner(OWNER);
      incidents.stop();
      timers.stop();
    },
  };
}
