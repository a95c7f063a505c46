import { afterEach, describe, expect, it } from 'vitest';
import type { HourCell } from '../ingest/influx-history-aggregator.ts';
import { ManualClock } from '../kernel/clock.ts';
import { SimMotion, SimWaterMeter } from '../simulators/device-types.ts';
import {
  type AlertsHub,
  connectSim,
  HOUR,
  hourCell,
  MIN,
  MORNING,
  startAlertsHub,
} from './helpers/alerts.ts';

const DAY = 24 * HOUR;
/** Local midnight (UTC+8) that starts the day of MORNING (09:00). */
const MIDNIGHT = MORNING - 9 * HOUR;

/** A meter whose first register reading (no usage: nothing to compare with) is already in. */
async function meter(h: AlertsHub): Promise<SimWaterMeter> {
  const m = await connectSim(h.t, (o) => new SimWaterMeter({ ...o, totalLiters: 1000 }), 'wm-1', 'kitchen');
  await m.use(0);
  return m;
}

/**
 * Synthetic weeks in the local history (hourly aggregates imported through the history module): for `days`
 * complete days before today, motion from 07:00, water from `firstWaterHour` local, `dailyLiters` a day in
 * two readings.
 */
async function syntheticDays(
  h: AlertsHub,
  days: number,
  dailyLiters: number,
  firstWaterHour = 7,
): Promise<void> {
  const hours: HourCell[] = [];
  const add = (...args: Parameters<typeof hourCell>) => hours.push(hourCell(...args));
  for (let d = 1; d <= days; d++) {
    const day = MIDNIGHT - d * DAY;
    const water = day + firstWaterHour * HOUR;
    add('wm-1', 'seen', water, 'kitchen', 2, 2, water);
    add('wm-1', 'usage_liters', water, 'kitchen', 1, dailyLiters / 2, water);
    add('wm-1', 'usage_liters', day + 19 * HOUR, 'kitchen', 1, dailyLiters / 2, water);
    add('pir-1', 'seen', day + 7 * HOUR, 'living', 3, 3, water);
    add('pir-1', 'motion', day + 7 * HOUR, 'living', 3, 3, water);
    add('pir-1', 'motion', day + 2 * HOUR, 'living', 1, 1, water); // a night-time trip
  }
  await h.t.hub.history.importHours(hours);
}

describe('baselines from the hourly aggregates', () => {
  let h: AlertsHub | null = null;
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  it('computes the usual day from 14 days of hourly aggregates, on demand', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    await syntheticDays(h, 20, 100); // only the last 14 count
    expect(await h.t.hub.alerts.baselines.recomputeAll()).toBe(1);
    expect(await h.t.hub.alerts.baselines.get('res-1')).toMatchObject({
      days: 14,
      firstMotionMin: 7 * 60, // the 02:00 trip is the night, not the first movement of the day
      firstMotionSpreadMin: 0,
      firstWaterMin: 7 * 60,
      dailyLiters: 100,
      nightMotion: 1,
      computedAt: MORNING,
    });
  });

  it('daily use above 3 x the usual: non-emergency, low; not before 7 days of baseline', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    await syntheticDays(h, 6, 100);
    await h.t.hub.alerts.baselines.recomputeAll();
    const wm = await meter(h);
    await wm.use(350);
    expect(h.of('excessive_water_use')).toEqual([]); // 6 days: no usual yet

    await clock.advanceAsync(DAY); // tomorrow: 7 days of history
    await syntheticDays(h, 7, 100);
    await h.t.hub.alerts.baselines.recomputeAll();
    expect((await h.t.hub.alerts.baselines.get('res-1'))?.days).toBeGreaterThanOrEqual(7);
    await wm.use(200);
    expect(h.of('excessive_water_use')).toEqual([]);
    await wm.use(101); // 301 L today
    const raised = await h.waitFor('excessive_water_use');
    expect(raised.alarm).toMatchObject({ class: 'non_emergency', severity: 'low' });
    expect(raised.alarm.explanation.en).toBe('301 L of water used today, over 3 × the usual 100 L');
    await wm.use(50);
    expect(h.of('excessive_water_use').filter((e) => e.name === 'alarmRaised')).toHaveLength(1);
  });

  it('no water past the usual first use of the day (+ 1 h) once a baseline exists', async () => {
    const clock = new ManualClock(MIDNIGHT + 20 * HOUR); // 20:00
    h = await startAlertsHub(clock);
    await syntheticDays(h, 10, 100, 6); // usually first water at 06:00
    await h.t.hub.alerts.baselines.recomputeAll();
    const wm = await meter(h);
    await wm.use(5); // 20:00; the 12 h fallback would be 08:00
    await clock.advanceAsync(11 * HOUR - MIN);
    expect(h.of('no_water_use')).toEqual([]);
    await clock.advanceAsync(MIN); // 07:00
    const raised = await h.waitFor('no_water_use');
    expect(raised.alarm.explanation.en).toBe(
      'no water used today (last at 20:00); usually first used by 06:00',
    );
  });

  it('no movement past the usual first movement: alarms sooner than the 12 h fallback, and says so', async () => {
    const clock = new ManualClock(MIDNIGHT + 22.5 * HOUR); // 22:30
    h = await startAlertsHub(clock);
    await syntheticDays(h, 10, 100); // usually up by 07:00, every day
    await h.t.hub.alerts.baselines.recomputeAll();
    const pir = await connectSim(h.t, (o) => new SimMotion(o), 'pir-1', 'living');
    await pir.motion(); // 22:30; the 12 h fallback would be 10:30
    await clock.advanceAsync(9 * HOUR - MIN);
    expect(h.of('no_movement')).toEqual([]);
    await clock.advanceAsync(MIN); // 07:30: the usual 07:00 + 30 min
    const raised = await h.waitFor('no_movement');
    expect(raised.alarm.explanation).toEqual({
      en: 'no movement since 22:30; usually up by 07:00 ± 30 min',
      zh: '自 22:30 起家中无任何活动；平时 07:00 ± 30 分钟起床',
    });
  });
});
