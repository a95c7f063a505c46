import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { SimMotion, SimWristband } from '../simulators/device-types.ts';
import { type AlertsHub, connectSim, HOUR, MIN, MORNING, startAlertsHub } from './helpers/alerts.ts';

describe('timed detection rules on persisted timers', () => {
  let h: AlertsHub | null = null;
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  it('raises a possible fall to critical after 5 min without motion anywhere, and says why', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const band = await connectSim(h.t, (o) => new SimWristband(o), 'wb-1');
    const pir = await connectSim(h.t, (o) => new SimMotion(o), 'pir-1', 'living');

    // A possible fall followed by movement: the severity stays.
    await band.fall(0.4);
    const first = await h.waitFor('fall');
    await clock.advanceAsync(2 * MIN);
    await pir.motion();
    await clock.advanceAsync(10 * MIN);
    expect((await h.alarms('fall'))[0]).toMatchObject({ id: first.alarm.id, severity: 'high', notes: [] });
    await h.t.hub.alerts.alarms.close(first.alarm.id, 'dispatcher', 'resident fine');

    // A possible fall and then stillness.
    await band.fall(0.4);
    const second = await h.waitFor('fall', 'alarmRaised', 2);
    const fallAt = clock.now();
    await clock.advanceAsync(5 * MIN - 1000);
    expect(h.of('fall').filter((e) => e.name === 'alarmUpdated')).toEqual([]);
    await clock.advanceAsync(1000);
    const raised = await h.waitFor('fall', 'alarmUpdated');
    expect(raised.name === 'alarmUpdated' && raised.change).toBe('severity_raised');
    expect(raised.alarm).toMatchObject({ id: second.alarm.id, severity: 'critical' });
    expect(raised.alarm.explanation.en).toBe(
      'possible fall at 09:12 (confidence 0.40); no movement anywhere for 5 min since the fall at 09:12',
    );
    expect(raised.alarm.explanation.zh).toContain('跌倒（09:12）后5分钟家中无任何活动');
    expect(raised.alarm.evidence[1]).toMatchObject({ kind: 'silence', since: fallAt, at: fallAt + 5 * MIN });
    expect((await h.alarms('fall'))[0]?.severity).toBe('critical');
  });

  it('raises bathroom inactivity after 45 min with no movement elsewhere; movement elsewhere cancels it', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const bath = await connectSim(h.t, (o) => new SimMotion(o), 'pir-bath', 'bathroom');
    const kitchen = await connectSim(h.t, (o) => new SimMotion(o), 'pir-kitchen', 'kitchen');

    await bath.motion();
    await clock.advanceAsync(30 * MIN);
    await kitchen.motion(); // left the bathroom
    await clock.advanceAsync(60 * MIN);
    expect(h.of('bathroom_inactivity')).toEqual([]);

    await bath.motion();
    const lastAt = clock.now();
    await clock.advanceAsync(10 * MIN);
    await bath.motion(); // still moving in the bathroom: the 45 min start again
    await clock.advanceAsync(44 * MIN);
    expect(h.of('bathroom_inactivity')).toEqual([]);
    await clock.advanceAsync(MIN);
    const raised = await h.waitFor('bathroom_inactivity');
    expect(raised.alarm).toMatchObject({
      class: 'emergency',
      severity: 'high',
      residentId: 'res-1',
      late: false,
    });
    expect(raised.alarm.evidence).toEqual([
      expect.objectContaining({
        kind: 'message',
        deviceId: 'pir-bath',
        room: 'bathroom',
        at: lastAt + 10 * MIN,
      }),
      expect.objectContaining({
        kind: 'silence',
        since: lastAt + 10 * MIN,
        what: 'motion outside the bathroom',
      }),
    ]);
    expect(raised.alarm.explanation).toEqual({
      zh: '10:40 最后在卫生间有活动，此后45分钟其他房间无活动',
      en: 'last movement in the bathroom at 10:40; none elsewhere for 45 min',
    });
  });

  it('raises "resident unprotected" after the wristband is off 2 h, waiting for the active hours', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const band = await connectSim(h.t, (o) => new SimWristband(o), 'wb-1');
    await band.removed();
    await clock.advanceAsync(HOUR);
    await band.worn();
    await clock.advanceAsync(2 * HOUR);
    expect(h.of('wristband_removed')).toEqual([]);

    await band.removed(); // 12:00 local
    await clock.advanceAsync(2 * HOUR);
    const raised = await h.waitFor('wristband_removed');
    expect(raised.alarm).toMatchObject({ class: 'non_emergency', severity: 'low' });
    expect(raised.alarm.explanation).toEqual({
      zh: '手环 wb-1 12:00 被摘下，已2小时未佩戴：住户无防护',
      en: 'wristband wb-1 off since 12:00 (2 h): resident unprotected',
    });
    await h.t.hub.alerts.alarms.close(raised.alarm.id, 'dispatcher', 'family informed');

    // Taken off at 21:00 local: 23:00 is night, so the alarm waits for 07:00.
    await band.worn();
    await clock.advanceAsync(7 * HOUR);
    await band.removed();
    await clock.advanceAsync(9 * HOUR + 59 * MIN);
    expect(h.of('wristband_removed').filter((e) => e.name === 'alarmRaised')).toHaveLength(1);
    await clock.advanceAsync(MIN);
    const morning = await h.waitFor('wristband_removed', 'alarmRaised', 2);
    expect(morning.alarm.explanation.en).toBe('wristband wb-1 off since 21:00 (10 h): resident unprotected');
  });

  it('raises no movement after 12 h during active hours (absolute fallback)', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const pir = await connectSim(h.t, (o) => new SimMotion(o), 'pir-1', 'living');
    await pir.motion(); // 09:00 local
    await clock.advanceAsync(12 * HOUR - MIN);
    expect(h.of('no_movement')).toEqual([]);
    await clock.advanceAsync(MIN);
    const raised = await h.waitFor('no_movement');
    expect(raised.alarm).toMatchObject({ class: 'emergency', severity: 'high', residentId: 'res-1' });
    expect(raised.alarm.explanation).toEqual({
      zh: '自 09:00 起家中无任何活动（12小时）',
      en: 'no movement in the home since 09:00 (12 h)',
    });
    expect(raised.alarm.evidence[1]).toMatchObject({
      kind: 'silence',
      since: MORNING,
      what: 'motion anywhere in the home',
    });
  });
});
