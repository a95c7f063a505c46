import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { until } from '../simulators/device.ts';
import { SimButton, SimLeak, SimMotion, SimWaterMeter, SimWristband } from '../simulators/device-types.ts';
import { type AlertsHub, connectSim, HOUR, MIN, MORNING, startAlertsHub } from './helpers/alerts.ts';

describe('immediate detection rules, over MQTT into the alarms table and onto the bus', () => {
  let h: AlertsHub | null = null;
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  it('raises an SOS (emergency, critical) with evidence and a bilingual explanation; a second SOS updates it', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const button = await connectSim(h.t, (o) => new SimButton(o), 'btn-1');
    await button.sos();
    const raised = await h.waitFor('sos');
    expect(raised.alarm).toMatchObject({
      householdId: 'hh-test',
      residentId: 'res-1',
      type: 'sos',
      class: 'emergency',
      severity: 'critical',
      status: 'open',
      count: 1,
      late: false,
    });
    expect(raised.alarm.evidence).toEqual([
      expect.objectContaining({ kind: 'message', deviceId: 'btn-1', event: 'sos', at: MORNING }),
    ]);
    expect(raised.alarm.explanation.en).toBe('SOS from call button btn-1 at 09:00');
    expect(raised.alarm.explanation.zh).toBe('一键呼叫 btn-1 09:00 发出紧急求助');

    await clock.advanceAsync(2 * MIN);
    const band = await connectSim(h.t, (o) => new SimWristband(o), 'wb-1');
    await band.sos();
    const updated = await h.waitFor('sos', 'alarmUpdated');
    expect(updated.alarm).toMatchObject({ id: raised.alarm.id, count: 2 });
    expect(updated.alarm.evidence.map((e) => e.deviceId)).toEqual(['btn-1', 'wb-1']);
    // Deduplicated: one open SOS alarm in the store, with both triggers.
    expect(await h.alarms('sos')).toEqual([
      expect.objectContaining({ id: raised.alarm.id, count: 2, status: 'open' }),
    ]);
  });

  it('marks the SOS "cancelled by resident" on a cancel within 30 s, and keeps it open; a late cancel does not', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const button = await connectSim(h.t, (o) => new SimButton(o), 'btn-1');
    await button.sos();
    const raised = await h.waitFor('sos');
    await clock.advanceAsync(20_000);
    await button.cancel();
    const cancelled = await h.waitFor('sos', 'alarmUpdated');
    expect(cancelled.name === 'alarmUpdated' && cancelled.change).toBe('cancelled_by_resident');
    expect(cancelled.alarm).toMatchObject({ id: raised.alarm.id, status: 'open' });
    expect(cancelled.alarm.notes).toEqual([
      expect.objectContaining({ kind: 'cancelled_by_resident', at: MORNING + 20_000 }),
    ]);
    expect(cancelled.alarm.explanation.en).toContain('cancelled by resident at 09:00');
    expect((await h.alarms('sos'))[0]?.notes.map((n) => n.kind)).toEqual(['cancelled_by_resident']);

    // A second SOS, cancelled after 31 s: no mark.
    await h.t.hub.alerts.alarms.close(raised.alarm.id, 'dispatcher', 'called back, resident fine');
    await clock.advanceAsync(MIN);
    await button.sos();
    await h.waitFor('sos', 'alarmRaised', 2);
    await clock.advanceAsync(31_000);
    const cancels: number[] = [];
    h.t.hub.bus.on('messageAccepted', 'test', (m) => {
      if (m.event?.name === 'cancel' && m.seq !== null) cancels.push(m.seq);
    });
    const seq = await button.cancel();
    await until(() => cancels.includes(seq), 3000, 'late cancel accepted');
    const open = (await h.alarms('sos')).find((a) => a.status === 'open');
    expect(open?.notes).toEqual([]);
    expect(h.of('sos').map((e) => e.name)).toEqual([
      'alarmRaised',
      'alarmUpdated',
      'alarmCleared',
      'alarmRaised',
    ]);
  });

  it('raises a fall (confidence ≥ 0.6) as critical and a possible fall as high', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const band = await connectSim(h.t, (o) => new SimWristband(o), 'wb-1');
    await band.fall(0.45);
    const possible = await h.waitFor('fall');
    expect(possible.alarm).toMatchObject({ class: 'emergency', severity: 'high' });
    expect(possible.alarm.explanation.en).toBe('possible fall at 09:00 (confidence 0.45)');
    expect(possible.alarm.evidence[0]).toMatchObject({ values: { confidence: 0.45 } });

    await band.fall(0.93);
    const sure = await h.waitFor('fall', 'alarmUpdated');
    expect(sure.alarm).toMatchObject({ id: possible.alarm.id, severity: 'critical', count: 2 });
    expect(sure.alarm.explanation.en).toBe('fall detected by wristband at 09:00 (confidence 0.93)');
  });

  it('raises a water leak (emergency, high); dry marks it cleared by the device and keeps it open', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const leak = await connectSim(h.t, (o) => new SimLeak(o), 'leak-1', 'bathroom');
    await leak.leak();
    const raised = await h.waitFor('water_leak');
    expect(raised.alarm).toMatchObject({ class: 'emergency', severity: 'high' });
    expect(raised.alarm.explanation).toEqual({
      zh: '09:00 卫生间检测到漏水',
      en: 'water leak in bathroom at 09:00',
    });
    await clock.advanceAsync(10 * MIN);
    await leak.dry();
    const dry = await h.waitFor('water_leak', 'alarmUpdated');
    expect(dry.name === 'alarmUpdated' && dry.change).toBe('cleared_by_device');
    expect(await h.alarms('water_leak')).toEqual([
      expect.objectContaining({
        status: 'open',
        notes: [expect.objectContaining({ kind: 'cleared_by_device' })],
      }),
    ]);
    expect(h.events.some((e) => e.name === 'alarmCleared')).toBe(false);
  });

  it("raises continuous flow from the meter's own event and from 2 h of flow above the threshold", async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const meter = await connectSim(h.t, (o) => new SimWaterMeter(o), 'wm-1');
    await meter.continuousFlow(180);
    const own = await h.waitFor('continuous_flow');
    expect(own.alarm).toMatchObject({ class: 'emergency', severity: 'high' });
    expect(own.alarm.explanation.en).toBe('water meter reports continuous flow for 180 min at 09:00');
    await h.t.hub.alerts.alarms.close(own.alarm.id, 'dispatcher', 'tap closed');

    // Flowing every 15 min; one reading below the threshold restarts the 2 h.
    await meter.use(10, 2);
    for (let i = 0; i < 4; i++) {
      await clock.advanceAsync(15 * MIN);
      await meter.use(30, 2);
    }
    await clock.advanceAsync(15 * MIN);
    await meter.use(0, 0);
    for (let i = 0; i < 7; i++) {
      await clock.advanceAsync(15 * MIN);
      await meter.use(30, 2);
    }
    const flowingSince = clock.now() - 6 * 15 * MIN;
    await clock.advanceAsync(29 * MIN);
    expect(h.of('continuous_flow').filter((e) => e.name === 'alarmRaised')).toHaveLength(1);
    await clock.advanceAsync(MIN);
    const sustained = await h.waitFor('continuous_flow', 'alarmRaised', 2);
    expect(sustained.alarm.evidence).toEqual([
      expect.objectContaining({ kind: 'message', at: flowingSince, values: { flowLpm: 2 } }),
      expect.objectContaining({ kind: 'silence', since: flowingSince, at: flowingSince + 2 * HOUR }),
    ]);
    expect(sustained.alarm.explanation.en).toBe('water flowing ≥ 0.5 L/min since 10:30 (2 h)');
  });

  it('raises abnormal vitals after 3 consecutive readings out of range, not after 2', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const band = await connectSim(h.t, (o) => new SimWristband(o), 'wb-1');
    await band.vitals({ heartRate: 35 });
    await clock.advanceAsync(5 * MIN);
    await band.vitals({ heartRate: 36 });
    await clock.advanceAsync(5 * MIN);
    await band.vitals({ heartRate: 72, spo2: 97 }); // normal: the streak ends
    for (const spo2 of [88, 87]) {
      await clock.advanceAsync(5 * MIN);
      await band.vitals({ heartRate: 140, spo2 });
    }
    await clock.advanceAsync(5 * MIN);
    await band.vitals({ steps: 10 }); // no vitals: neither counts nor ends the streak
    expect(h.of('abnormal_vitals')).toEqual([]);
    await clock.advanceAsync(5 * MIN);
    await band.vitals({ heartRate: 141, spo2: 86 });
    const raised = await h.waitFor('abnormal_vitals');
    expect(raised.alarm).toMatchObject({ class: 'emergency', severity: 'high', residentId: 'res-1' });
    expect(raised.alarm.evidence.map((e) => e.kind === 'message' && e.values)).toEqual([
      { heartRate: 140, spo2: 88 },
      { heartRate: 140, spo2: 87 },
      { heartRate: 141, spo2: 86 },
    ]);
    expect(raised.alarm.explanation.en).toBe(
      'heart rate 141 bpm (> 130), SpO₂ 86 % (< 90 %); abnormal over 3 readings since 09:15',
    );
  });

  it('raises battery low and tamper once per episode (non-emergency, low)', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const pir = await connectSim(h.t, (o) => new SimMotion(o), 'pir-1', 'living');
    const button = await connectSim(h.t, (o) => new SimButton(o), 'btn-1');
    await pir.heartbeat({ battery: 15 });
    const low = await h.waitFor('battery_low');
    expect(low.alarm).toMatchObject({ class: 'non_emergency', severity: 'low' });
    expect(low.alarm.explanation.en).toBe('motion sensor pir-1 battery at 15 % (below 20 %)');
    await pir.heartbeat({ battery: 14 }); // same episode: no new trigger
    await button.heartbeat({ battery: 12 }); // another device: folds into the open alarm
    const updated = await h.waitFor('battery_low', 'alarmUpdated');
    expect(updated.alarm.count).toBe(2);
    expect(updated.alarm.evidence.map((e) => e.deviceId)).toEqual(['pir-1', 'btn-1']);

    await pir.heartbeat({ battery: 90, tamper: true });
    const tamper = await h.waitFor('tamper');
    expect(tamper.alarm).toMatchObject({ class: 'non_emergency', severity: 'low' });
    expect(tamper.alarm.explanation.en).toBe('motion sensor pir-1 opened (tamper) at 09:00');
    expect(h.of('battery_low')).toHaveLength(2);
  });

  it('raises a silent device (medium; a call button high) and closes it once every silent device is heard', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const leak = await connectSim(h.t, (o) => new SimLeak(o), 'leak-1', 'kitchen');
    const button = await connectSim(h.t, (o) => new SimButton(o), 'btn-1');
    await leak.heartbeat();
    await button.heartbeat();
    await clock.advanceAsync(45 * MIN + 2000); // button: 3 x 15 min
    const silent = await h.waitFor('device_silent');
    expect(silent.alarm).toMatchObject({ class: 'non_emergency', severity: 'high' });
    expect(silent.alarm.explanation.en).toBe(
      "call button btn-1 silent since 09:00: the resident's lifeline is down",
    );
    expect(silent.alarm.evidence).toEqual([
      expect.objectContaining({ kind: 'silence', deviceId: 'btn-1', since: MORNING, what: 'heartbeat' }),
    ]);
    await clock.advanceAsync(2 * HOUR + 15 * MIN); // leak: 3 x 60 min
    const both = await h.waitFor('device_silent', 'alarmUpdated');
    expect(both.alarm).toMatchObject({ count: 2, severity: 'high' });

    await button.heartbeat();
    await h.waitFor('device_silent', 'alarmUpdated', 2); // btn-1 heard
    expect((await h.alarms('device_silent'))[0]?.status).toBe('open');
    await leak.heartbeat();
    const cleared = await h.waitFor('device_silent', 'alarmCleared');
    expect(cleared.name === 'alarmCleared' && cleared.by).toBe('system');
    expect((await h.alarms('device_silent'))[0]?.status).toBe('closed');
  });
});
