import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { SimMotion, SimWaterMeter } from '../simulators/device-types.ts';
import { type AlertsHub, connectSim, HOUR, MIN, MORNING, startAlertsHub } from './helpers/alerts.ts';

/** A meter whose first register reading (no usage: nothing to compare with) is already in. */
async function meter(h: AlertsHub): Promise<SimWaterMeter> {
  const m = await connectSim(h.t, (o) => new SimWaterMeter({ ...o, totalLiters: 1000 }), 'wm-1', 'kitchen');
  await m.use(0);
  return m;
}

describe('water use', () => {
  let h: AlertsHub | null = null;
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  it('no water for 12 h in active hours: a wellness check, medium', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const wm = await meter(h);
    await wm.use(5); // 09:00
    await clock.advanceAsync(12 * HOUR - MIN);
    expect(h.of('no_water_use')).toEqual([]);
    await clock.advanceAsync(MIN); // 21:00
    const raised = await h.waitFor('no_water_use');
    expect(raised.alarm).toMatchObject({ class: 'wellness', severity: 'medium', residentId: 'res-1' });
    expect(raised.alarm.explanation.en).toBe('no water used since 09:00 (12 h): wellness check');
    expect(raised.alarm.evidence).toEqual([
      expect.objectContaining({ kind: 'message', deviceId: 'wm-1', values: { usageLiters: 5 } }),
      expect.objectContaining({
        kind: 'silence',
        since: MORNING,
        at: MORNING + 12 * HOUR,
        what: 'water use',
      }),
    ]);
    expect(h.of('possible_collapse')).toEqual([]);
  });

  it('with no movement since either: a possible collapse, emergency critical; movement keeps it a wellness check', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const pir = await connectSim(h.t, (o) => new SimMotion(o), 'pir-1', 'living');
    const wm = await meter(h);
    await pir.motion(); // 09:00
    await clock.advanceAsync(MIN);
    await wm.use(5); // 09:01
    await clock.advanceAsync(12 * HOUR);
    const raised = await h.waitFor('possible_collapse');
    expect(raised.alarm).toMatchObject({ class: 'emergency', severity: 'critical' });
    expect(raised.alarm.explanation.en).toBe(
      'no water used since 09:01 (12 h) and no movement since 09:00: possible collapse',
    );
    expect(raised.alarm.explanation.zh).toBe('自 09:01 起12小时未用水且自 09:00 起无活动：可能晕倒');
    expect(h.of('no_water_use')).toEqual([]);

    await h.t.hub.alerts.alarms.close(raised.alarm.id, 'dispatcher', 'checked');
    await wm.use(3); // 21:01
    await clock.advanceAsync(HOUR);
    await pir.motion(); // 22:01: up, but not using water
    await clock.advanceAsync(11 * HOUR - MIN);
    expect(h.of('no_water_use')).toEqual([]);
    await clock.advanceAsync(MIN); // 09:01: 12 h without water, but she moved since
    const wellness = await h.waitFor('no_water_use');
    expect(wellness.alarm.severity).toBe('medium');
    expect(h.of('possible_collapse').filter((e) => e.name === 'alarmRaised')).toHaveLength(1);
  });

  it('is held while the household is away and runs again from the end of the period', async () => {
    const clock = new ManualClock(MORNING - 2 * HOUR); // 07:00
    h = await startAlertsHub(clock);
    const wm = await meter(h);
    await wm.use(5);
    await h.t.hub.alerts.away.declare('hh-test', { until: MORNING, reason: 'visiting family', by: 'li' });
    await clock.advanceAsync(12 * HOUR); // 19:00: 12 h without water, all but 2 h of them away
    expect(h.of('no_water_use')).toEqual([]);
    await clock.advanceAsync(2 * HOUR - MIN);
    expect(h.of('no_water_use')).toEqual([]);
    await clock.advanceAsync(MIN); // 21:00: 12 h since the period ended at 09:00
    const raised = await h.waitFor('no_water_use');
    expect(raised.alarm.openedAt).toBe(MORNING + 12 * HOUR);
    expect(raised.alarm.explanation.en).toBe('no water used since 09:00 (12 h): wellness check');
  });
});
