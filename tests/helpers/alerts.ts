import type { Alarm, AlarmChange, AlarmType } from '../../alerts/alarm.ts';
import type { HourCell, LocalMetric } from '../../ingest/influx-history-aggregator.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Room } from '../../kernel/contract.ts';
import type { SimDevice } from '../../simulators/device.ts';
import { until } from '../../simulators/device.ts';
import { startTestHub, type TestHub } from './hub.ts';

export const MIN = 60_000;
export const HOUR = 60 * MIN;
/** 09:00 in China Standard Time (UTC+8, the default `utcOffsetMinutes`): inside the active hours 07–22. */
export const MORNING = Date.parse('2026-11-28T01:00:00Z');

export type AlarmEvent =
  | { name: 'alarmRaised'; alarm: Alarm }
  | { name: 'alarmUpdated'; alarm: Alarm; change: AlarmChange }
  | { name: 'alarmCleared'; alarm: Alarm; by: string; reason: string };

export interface AlertsHub {
  t: TestHub;
  /** every alarm event on the bus since start, in order */
  events: AlarmEvent[];
  /** events of one alarm type */
  of(type: AlarmType): AlarmEvent[];
  /** the alarms, through the room's store interface (newest first) */
  alarms(type?: AlarmType): Promise<Alarm[]>;
  /** waits until an event of this type and name arrives (MQTT delivery), returns the newest */
  waitFor(type: AlarmType, name?: AlarmEvent['name'], count?: number): Promise<AlarmEvent>;
}

/** A real hub with a ManualClock, household hh-test with one resident, recording the alarm events. */
export async function startAlertsHub(clock: Clock, dataDir?: string): Promise<AlertsHub> {
  const t = await startTestHub({}, dataDir ? { clock, dataDir } : { clock });
  await t.hub.registry.households.upsert({ id: 'hh-test', address: 'hh-test 幸福路 1号', grid: 'grid-1' });
  await t.hub.registry.households.upsertResident({ id: 'res-1', householdId: 'hh-test', name: '王奶奶' });
  const events: AlarmEvent[] = [];
  t.hub.bus.on('alarmRaised', 'test', (e) => {
    events.push({ name: 'alarmRaised', ...e });
  });
  t.hub.bus.on('alarmUpdated', 'test', (e) => {
    events.push({ name: 'alarmUpdated', ...e });
  });
  t.hub.bus.on('alarmCleared', 'test', (e) => {
    events.push({ name: 'alarmCleared', ...e });
  });
  const of = (type: AlarmType) => events.filter((e) => e.alarm.type === type);
  return {
    t,
    events,
    of,
    alarms: async (type) => (await t.hub.alerts.alarms.store.list()).filter((a) => !type || a.type === type),
    async waitFor(type, name = 'alarmRaised', count = 1) {
      await until(
        () => of(type).filter((e) => e.name === name).length >= count,
        3000,
        `${count} x ${name} ${type}`,
      );
      const list = of(type).filter((e) => e.name === name);
      const last = list[list.length - 1];
      if (!last) throw new Error('unreachable');
      return last;
    },
  };
}

/** Like `until`, for a check that asks the store (an async interface): polls it every 10 ms. */
export async function untilAsync(
  check: () => Promise<boolean>,
  timeoutMs = 3000,
  what = 'condition',
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Provisions a device of the simulator's type (household hh-test) and connects the simulator. */
export async function connectSim<D extends SimDevice>(
  t: TestHub,
  make: (opts: { url: string; id: string; secret: string }) => D,
  id: string,
  room?: Room,
): Promise<D> {
  const probe = make({ url: t.mqttUrl, id, secret: '' });
  const secret = await t.provisionDevice({ id, type: probe.type, ...(room ? { room } : {}) });
  return make({ url: t.mqttUrl, id, secret }).connect();
}

/**
 * One hour of one device's aggregates in household hh-test, as the local history keeps it (for tests that
 * seed synthetic weeks through `History.importHours`); `lastAt` defaults to the hour itself.
 */
export function hourCell(
  deviceId: string,
  metric: LocalMetric,
  hour: number,
  room: string,
  count: number,
  sum: number,
  lastAt = hour,
): HourCell {
  return {
    deviceId,
    metric,
    hour,
    householdId: 'hh-test',
    room,
    count,
    sum,
    min: 0,
    max: 0,
    last: 0,
    lastAt,
  };
}
