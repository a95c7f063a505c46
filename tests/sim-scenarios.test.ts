import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS } from '../alerts/settings.ts';
import { ManualClock } from '../kernel/clock.ts';
import { until } from '../simulators/device.ts';
import { SimHousehold } from '../simulators/household/household.ts';
import { type HubApi, hubApi } from '../simulators/household/hub-api.ts';
import { provisionHouseholds } from '../simulators/household/provision.ts';
import { householdSpec, type SpecOptions } from '../simulators/household/spec.ts';
import { FAULTY_AFTER, GARBAGE } from '../simulators/scenarios/device-faults.ts';
import { SCENARIOS, type ScenarioContext, scenario } from '../simulators/scenarios/index.ts';
import { HOUR, MIN, MORNING } from './helpers/alerts.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

interface IncidentRow {
  householdId: string;
  alarmType: string;
  class: string;
  severity: string;
}

interface ScenarioRun {
  t: TestHub;
  clock: ManualClock;
  api: HubApi;
  h: SimHousehold;
  ctx: ScenarioContext;
  incidents(): Promise<IncidentRow[]>;
}

/** A real hub on a ManualClock at `start`, household hh-0001 provisioned through POST /api/import. */
async function household(start: number, opts: SpecOptions = {}): Promise<ScenarioRun> {
  const clock = new ManualClock(start);
  const t = await startTestHub({}, { clock });
  const api = hubApi(t.httpUrl, await t.login());
  // a fresh login for reading: a scenario may move the clock past the 12 h session
  const spec = householdSpec(1, opts);
  const secrets = await provisionHouseholds(api, [spec]);
  const h = await new SimHousehold(spec, t.mqttUrl, secrets).connect();
  return {
    t,
    clock,
    api,
    h,
    ctx: { advance: (ms) => clock.advanceAsync(ms), settings: { ...DEFAULT_ALERT_SETTINGS } },
    incidents: async () =>
      hubApi(t.httpUrl, await t.login()).call<IncidentRow[]>('GET', `/api/incidents?household=${spec.id}`),
  };
}

const NIGHT = MORNING + 14 * HOUR; // 23:00 local (UTC+8)
const EVENING = MORNING + 11 * HOUR; // 20:00 local

describe('scenarios, end to end against a real hub', () => {
  let run: ScenarioRun | null = null;
  afterEach(async () => {
    await run?.h.end();
    await run?.t.stop();
    run = null;
  });

  /** Runs a scenario and returns the alarm types of the household's incidents, once all arrived. */
  async function play(name: string, start = MORNING, opts: SpecOptions = {}): Promise<IncidentRow[]> {
    run = await household(start, opts);
    const s = scenario(name);
    await s.run(run.h, run.ctx);
    const r = run;
    let rows: IncidentRow[] = [];
    for (let i = 0; i < 100; i++) {
      rows = await r.incidents();
      if (s.alarms.every((a) => rows.some((row) => row.alarmType === a))) break;
      await new Promise((res) => setTimeout(res, 20));
    }
    expect([...new Set(rows.map((row) => row.alarmType))].sort()).toEqual([...s.alarms].sort());
    return rows;
  }

  it('names nine scenarios, each with the alarms it causes', () => {
    expect(Object.keys(SCENARIOS)).toEqual([
      'fall-no-movement',
      'sos-cancel',
      'leak',
      'no-morning-activity',
      'tap-running',
      'night-wandering',
      'button-battery-dies',
      'gateway-offline',
      'garbage',
    ]);
  });

  it('a fall with no movement after it: a possible fall, raised to critical after 5 min', async () => {
    const [fall] = await play('fall-no-movement');
    expect(fall).toMatchObject({ alarmType: 'fall', class: 'emergency' });
    const alarm = (await run?.t.hub.alerts.alarms.store.list())?.find((a) => a.type === 'fall');
    expect(alarm?.severity).toBe('critical');
    expect(alarm?.notes.map((n) => n.kind)).toEqual(['severity_raised']);
  });

  it('an SOS then a cancel: the SOS incident stays, marked cancelled by the resident', async () => {
    const [sos] = await play('sos-cancel');
    expect(sos).toMatchObject({ alarmType: 'sos', class: 'emergency', severity: 'critical' });
    const alarm = (await run?.t.hub.alerts.alarms.store.list())?.find((a) => a.type === 'sos');
    expect(alarm?.notes.map((n) => n.kind)).toEqual(['cancelled_by_resident']);
  });

  it('a leak: a water-leak emergency', async () => {
    const [leak] = await play('leak');
    expect(leak).toMatchObject({ alarmType: 'water_leak', class: 'emergency' });
  });

  it('no morning activity: in bed at 20:00 and not up by 08:00, "no movement"', async () => {
    const rows = await play('no-morning-activity', EVENING);
    expect(rows[0]).toMatchObject({ alarmType: 'no_movement', class: 'emergency', severity: 'high' });
    const alarm = (await run?.t.hub.alerts.alarms.store.list())?.find((a) => a.type === 'no_movement');
    expect(alarm?.openedAt).toBe(EVENING + 5 * MIN + 12 * HOUR);
  });

  it('a tap left running: continuous flow after 2 h of readings at 6 L/min', async () => {
    const [flow] = await play('tap-running');
    expect(flow).toMatchObject({ alarmType: 'continuous_flow', class: 'emergency', severity: 'high' });
  });

  it('night-time wandering: a resident at risk 500 m from home at 23:10, critical', async () => {
    const [wander] = await play('night-wandering', NIGHT, { wanderingRisk: true });
    expect(wander).toMatchObject({ alarmType: 'wandering', class: 'emergency', severity: 'critical' });
  });

  it('a call button whose battery dies: battery low, then the button silent (high)', async () => {
    const rows = await play('button-battery-dies');
    const silent = rows.find((r) => r.alarmType === 'device_silent');
    expect(silent).toMatchObject({ class: 'non_emergency', severity: 'high' });
    const alarm = (await run?.t.hub.alerts.alarms.store.list())?.find((a) => a.type === 'device_silent');
    expect(alarm?.evidence[0]).toMatchObject({ kind: 'silence', deviceId: 'btn-0001' });
  });

  it('a gateway going offline: its Last Will marks it offline, its Zigbee sensors go silent after 3 h', async () => {
    const rows = await play('gateway-offline', MORNING, { gateway: true });
    expect(rows[0]).toMatchObject({ alarmType: 'device_silent', severity: 'medium' });
    const api = hubApi((run as ScenarioRun).t.httpUrl, await (run as ScenarioRun).t.login());
    const presence = await api.call<Array<{ clientId: string; state: string }>>('GET', '/api/presence');
    expect(presence?.find((p) => p.clientId === 'gw-0001')?.state).toBe('offline');
    const alarm = (await run?.t.hub.alerts.alarms.store.list())?.find((a) => a.type === 'device_silent');
    const silentIds = (alarm?.evidence ?? []).map((e) => (e.kind === 'silence' ? e.deviceId : null));
    expect(silentIds).toContain('z-pir-0001-living');
    expect(silentIds).not.toContain('btn-0001');
  });

  it('a device sending garbage: every message answered and quarantined, no alarm, flagged faulty', async () => {
    await play('garbage');
    const r = run as ScenarioRun;
    const sensor = r.h.motion.bedroom;
    await until(() => (sensor?.errors.length ?? 0) >= FAULTY_AFTER, 3000, 'error answers');
    const expected = Array.from({ length: FAULTY_AFTER }, (_, i) => GARBAGE[i % GARBAGE.length]?.code);
    expect(sensor?.errors.map((e) => e.code)).toEqual(expected);
    const quarantine = await r.api.call<Array<{ code: string }>>(
      'GET',
      '/api/quarantine?device=pir-0001-bedroom&limit=100',
    );
    expect(quarantine).toHaveLength(FAULTY_AFTER);
    const faults = await r.api.call<Array<{ deviceId: string; count: number; flaggedAt: number | null }>>(
      'GET',
      '/api/device-faults',
    );
    expect(faults.find((f) => f.deviceId === 'pir-0001-bedroom')).toMatchObject({ count: FAULTY_AFTER });
    expect(faults.find((f) => f.deviceId === 'pir-0001-bedroom')?.flaggedAt).toEqual(expect.any(Number));
  });
});
