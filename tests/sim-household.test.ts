import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { dayPlan } from '../simulators/household/day-plan.ts';
import { DayRunner } from '../simulators/household/day-runner.ts';
import { SimHousehold } from '../simulators/household/household.ts';
import { hubApi } from '../simulators/household/hub-api.ts';
import { provisionHouseholds } from '../simulators/household/provision.ts';
import { householdSpec } from '../simulators/household/spec.ts';
import { HOUR, MIN, MORNING } from './helpers/alerts.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

/** Local midnight (UTC+8) that starts the day of MORNING. */
const MIDNIGHT = MORNING - 9 * HOUR;
const localHour = (ms: number) => ((((ms + 8 * HOUR) % (24 * HOUR)) + 24 * HOUR) % (24 * HOUR)) / HOUR;

describe('a simulated household lives a day', () => {
  let t: TestHub | null = null;
  let h: SimHousehold | null = null;
  afterEach(async () => {
    await h?.end();
    await t?.stop();
    t = null;
    h = null;
  });

  it('plans the same day for the same seed, and another for another seed', () => {
    expect(dayPlan(7)).toEqual(dayPlan(7));
    expect(dayPlan(7)).not.toEqual(dayPlan(8));
    const activities = new Set(dayPlan(7).map((s) => s.activity));
    for (const a of ['wake', 'bathroom', 'breakfast', 'walk', 'nap', 'dinner', 'shower', 'sleep'])
      expect(activities).toContain(a);
  });

  it('wakes, uses water, walks inside the geofence, naps and sleeps, through its own devices, with no alarm', async () => {
    const clock = new ManualClock(MIDNIGHT);
    t = await startTestHub({}, { clock });
    const api = hubApi(t.httpUrl, await t.login());
    const spec = householdSpec(3, { gateway: true });
    const secrets = await provisionHouseholds(api, [spec]);
    // every device and the gateway got its own secret, once
    expect([...secrets.keys()].sort()).toEqual(
      [spec.button, spec.wristband, ...Object.values(spec.motion), spec.leak, spec.meter, 'gw-0003'].sort(),
    );
    h = await new SimHousehold(spec, t.mqttUrl, secrets).connect();
    const done: Array<{ activity: string; at: number }> = [];
    const runner = new DayRunner([h], clock.now(), {
      // every 10 min: inside every device's silence deadline (the wristband's is 15 min), fewer messages
      heartbeatMs: 10 * MIN,
      onStep: (_h, step, at) => done.push({ activity: step.activity, at }),
    });
    for (let at = MIDNIGHT; at < MIDNIGHT + 24 * HOUR; at += 5 * MIN) {
      await clock.advanceAsync(at - clock.now());
      await runner.stepTo(at);
    }
    expect(runner.errors).toBe(0);

    const wake = done.find((d) => d.activity === 'wake');
    expect(localHour(wake?.at ?? 0)).toBeGreaterThanOrEqual(6);
    expect(localHour(wake?.at ?? 0)).toBeLessThan(7);
    const sleep = done.find((d) => d.activity === 'sleep');
    expect(localHour(sleep?.at ?? 0)).toBeGreaterThanOrEqual(20.5);

    // What the hub stored, per device: every kind spoke, the Zigbee motion sensor through the gateway.
    const rows = (await t.hub.ingest.queries.messages({ householdId: spec.id })).map((m) => ({
      device: m.deviceId,
      channel: m.channel,
      body: m.body,
    }));
    const devices = new Set(rows.map((r) => r.device));
    for (const id of [
      spec.button,
      spec.wristband,
      spec.leak,
      spec.meter,
      'z-pir-0003-living',
      'pir-0003-bathroom',
    ])
      expect(devices).toContain(id);
    const motionRooms = rows.filter((r) => r.channel === 'event' && r.body.event?.name === 'motion');
    expect(motionRooms.length).toBeGreaterThan(15);

    const totals = rows
      .filter((r) => r.device === spec.meter && typeof r.body.readings?.totalLiters === 'number')
      .map((r) => r.body.readings?.totalLiters as number);
    const used = (totals.at(-1) ?? 0) - (totals[0] ?? 0);
    expect(used).toBeGreaterThan(60); // washing, meals, a shower
    expect(used).toBeLessThan(200);

    const positions = rows
      .filter((r) => r.device === spec.wristband && typeof r.body.readings?.lat === 'number')
      .map((r) => r.body.readings as { lat: number; lon: number; steps: number });
    const farthest = Math.max(...positions.map((p) => Math.abs(p.lat - spec.location.lat) * 111_320));
    expect(farthest).toBeGreaterThan(20);
    expect(farthest).toBeLessThan(200);
    expect(Math.max(...positions.map((p) => p.steps))).toBeGreaterThan(1000);

    // A normal day is no alarm.
    const incidents = await hubApi(t.httpUrl, await t.login()).call<unknown[]>(
      'GET',
      `/api/incidents?household=${spec.id}`,
    );
    expect(incidents).toEqual([]);
  }, 60_000);
});
