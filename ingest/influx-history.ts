/**
 * History for the consoles: asked of InfluxDB when one is configured; answered from the hub's local
 * hourly aggregates (last 30 days) when none is, or while it does not answer. Each answer says which
 * source it came from. Tenancy is the caller's: every question names the household it is about.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { EventBus } from '../kernel/bus.ts';
import type { Clock, TimerHandle } from '../kernel/clock.ts';
import type { HubConfig } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import { HOUR_MS, type HourCell, HourlyAggregator } from './influx-history-aggregator.ts';
import { LocalHistory } from './influx-history-local.ts';
import { InfluxHistory } from './influx-history-query.ts';
import type {
  ActivityRow,
  BatteryRow,
  HistoryQueries,
  HistoryRange,
  LastSeenRow,
  VitalsRow,
  WaterRow,
} from './influx-history-types.ts';
import { InfluxTransport } from './influx-transport.ts';
import type { HistoryStore } from './store/types.ts';

/** ms between catch-ups of the local aggregates with the message store. */
export const AGGREGATE_EVERY_MS = 5_000;
/** Messages aggregated per transaction (one event-loop turn each, a few ms). */
const AGGREGATE_CHUNK = 500;
/** Chunks a question may aggregate first; beyond (a first start over a large store) it answers a little stale. */
const QUESTION_CATCH_UP_CHUNKS = 20;

export interface HistoryAnswer<T> {
  source: 'influx' | 'local';
  rows: T[];
}

export interface HistoryDeps {
  /** the ingest room's hourly aggregates (store/types.ts) */
  store: HistoryStore;
  /** `messageStored`: the intake's stored messages, folded in memory instead of read back */
  bus: EventBus;
  config: HubConfig;
  clock: Clock;
  log: Logger;
}

export interface History {
  start(): Promise<void>;
  stop(): Promise<void>;
  activity(householdId: string, range: HistoryRange): Promise<HistoryAnswer<ActivityRow>>;
  waterUse(
    householdId: string,
    range: HistoryRange,
    bucket: 'hour' | 'day',
  ): Promise<HistoryAnswer<WaterRow>>;
  vitals(householdId: string, deviceId: string, range: HistoryRange): Promise<HistoryAnswer<VitalsRow>>;
  battery(householdId: string, range: HistoryRange): Promise<HistoryAnswer<BatteryRow>>;
  lastSeen(householdId: string, range: HistoryRange): Promise<HistoryAnswer<LastSeenRow>>;
  /** The local aggregates alone (brought up to date first). */
  readonly local: HistoryQueries;
  /**
   * Keeps hourly aggregates from elsewhere in the local history (a household's history carried over from
   * another hub; a test's synthetic weeks): an hour given replaces the device's metric hour kept.
   */
  importHours(hours: readonly HourCell[]): Promise<void>;
}

export function createHistory(deps: HistoryDeps): History {
  const { store, config, clock } = deps;
  const log = deps.log.child({ part: 'history' });
  const aggregator = new HourlyAggregator(store);
  const influx = config.influxUrl
    ? new InfluxHistory(
        new InfluxTransport({
          url: config.influxUrl,
          database: config.influxDatabase,
          org: config.influxOrg,
          token: config.influxToken,
          api: config.influxApi,
          timeoutMs: config.influxTimeoutMs,
          now: () => clock.now(),
        }),
        config.historyUtcOffsetMinutes,
      )
    : null;
  /** What arrived since the last background catch-up (seconds' worth), bounded. */
  const catchUpNow = async () => {
    for (let i = 0; i < QUESTION_CATCH_UP_CHUNKS; i++)
      if ((await aggregator.catchUp(AGGREGATE_CHUNK, clock.now())) < AGGREGATE_CHUNK) return;
  };
  const local: HistoryQueries = new LocalHistory(store, config.historyUtcOffsetMinutes, catchUpNow);
  let timer: TimerHandle | null = null;
  let running = false;
  let lastPrune = 0;
  /** the background catch-up in progress, which stop waits for */
  let ticking: Promise<void> | null = null;

  const tick = async () => {
    timer = null;
    try {
      while (running && (await aggregator.catchUp(AGGREGATE_CHUNK, clock.now())) === AGGREGATE_CHUNK)
        await nextTurn();
      if (!running) return;
      if (clock.now() - lastPrune >= HOUR_MS) {
        await aggregator.prune(clock.now());
        lastPrune = clock.now();
      }
    } catch (err) {
      log.error({ err }, 'local history aggregation failed; retrying');
    }
    if (running) timer = clock.setTimeout(startTick, AGGREGATE_EVERY_MS);
  };
  // On a turn of the event loop of its own: a clock may fire other timers in the same turn (a test's
  // ManualClock does), whose synchronous store work must not run while a catch-up's transaction is open.
  // Not awaited: tick never rejects; stop waits for it.
  const startTick = () => {
    setImmediate(() => {
      if (!running) return;
      ticking = tick().finally(() => {
        ticking = null;
      });
    });
  };

  async function ask<T>(
    name: string,
    question: (q: HistoryQueries) => Promise<T[]>,
  ): Promise<HistoryAnswer<T>> {
    if (influx) {
      try {
        return { source: 'influx', rows: await question(influx) };
      } catch (err) {
        log.warn({ err, question: name }, 'InfluxDB did not answer a history question; answering locally');
      }
    }
    return { source: 'local', rows: await question(local) };
  }

  return {
    local,
    importHours: (hours) => aggregator.importHours(hours),
    async start() {
      running = true;
      deps.bus.on('messageStored', 'history', (e) => aggregator.noteStored(e.id, e.message, clock.now()));
      startTick(); // a first start over a large store catches up in the background, chunk by chunk
    },
    async stop() {
      running = false;
      deps.bus.removeOwner('history');
      if (timer) clock.clearTimeout(timer);
      timer = null;
      await ticking;
    },
    activity: (h, r) => ask('activity', (q) => q.activity(h, r)),
    waterUse: (h, r, b) => ask('waterUse', (q) => q.waterUse(h, r, b)),
    vitals: (h, d, r) => ask('vitals', (q) => q.vitals(h, d, r)),
    battery: (h, r) => ask('battery', (q) => q.battery(h, r)),
    lastSeen: (h, r) => ask('lastSeen', (q) => q.lastSeen(h, r)),
  };
}
