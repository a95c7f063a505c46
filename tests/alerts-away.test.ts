import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubEvents } from '../kernel/bus.ts';
import { ManualClock } from '../kernel/clock.ts';
import { SimMotion, SimWristband } from '../simulators/device-types.ts';
import { type AlertsHub, connectSim, HOUR, MIN, MORNING, startAlertsHub } from './helpers/alerts.ts';
import { apiClient, errorCode, userWithToken } from './helpers/api.ts';

/** hh-test's home: a point in Shanghai; 0.009° of latitude is about 1 km. */
const HOME = { lat: 31.2304, lon: 121.4737 };

type AwayEvent =
  | ({ name: 'awayStarted' } & HubEvents['awayStarted'])
  | ({ name: 'awayEnded' } & HubEvents['awayEnded']);

function recordAway(h: AlertsHub): AwayEvent[] {
  const events: AwayEvent[] = [];
  h.t.hub.bus.on('awayStarted', 'test-away', (e) => {
    events.push({ name: 'awayStarted', ...e });
  });
  h.t.hub.bus.on('awayEnded', 'test-away', (e) => {
    events.push({ name: 'awayEnded', ...e });
  });
  return events;
}

describe('away-suppression', () => {
  let h: AlertsHub | null = null;
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  it('lets the dispatch center and a family member of the household (only) mark it away over REST', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const t = h.t;
    await t.hub.registry.households.upsert({
      id: 'hh-other',
      address: 'hh-other 幸福路 2号',
      grid: 'grid-1',
    });
    const api = apiClient(t.httpUrl);
    const admin = await t.login();
    const family = await userWithToken(t, api, admin, {
      username: 'li',
      role: 'family',
      households: ['hh-test'],
    });
    const dispatcher = await userWithToken(t, api, admin, { username: 'disp', role: 'dispatcher' });
    const supervisor = await userWithToken(t, api, admin, { username: 'sup', role: 'supervisor' });
    const responder = await userWithToken(t, api, admin, { username: 'resp', role: 'responder' });
    const events = recordAway(h);
    const until = MORNING + 3 * 24 * HOUR;

    const marked = await api('POST', '/api/households/hh-test/away', {
      token: family,
      body: { until: new Date(until).toISOString(), reason: '住院 in hospital' },
    });
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({
      householdId: 'hh-test',
      away: true,
      declared: { until, reason: '住院 in hospital', setBy: 'li', setAt: MORNING },
      wristband: null,
    });
    expect(events).toEqual([
      expect.objectContaining({
        name: 'awayStarted',
        householdId: 'hh-test',
        source: 'declared',
        until,
        by: 'li',
      }),
    ]);
    for (const token of [admin, dispatcher, supervisor, family]) {
      const got = await api('GET', '/api/households/hh-test/away', { token });
      expect(got.status).toBe(200);
      expect(got.body).toMatchObject({ away: true, declared: { until } });
    }

    // Another household: a family member not linked to it is told it does not exist.
    const foreign = await api('POST', '/api/households/hh-other/away', {
      token: family,
      body: { until, reason: 'x' },
    });
    expect([foreign.status, errorCode(foreign)]).toEqual([404, 'HUB_ERR_HOUSEHOLD_UNKNOWN']);
    expect((await api('GET', '/api/households/hh-other/away', { token: family })).status).toBe(404);
    const byResponder = await api('POST', '/api/households/hh-test/away', {
      token: responder,
      body: { until, reason: 'x' },
    });
    expect([byResponder.status, errorCode(byResponder)]).toEqual([403, 'HUB_ERR_FORBIDDEN']);
    const past = await api('POST', '/api/households/hh-other/away', {
      token: dispatcher,
      body: { until: MORNING - MIN, reason: 'visiting family' },
    });
    expect([past.status, errorCode(past)]).toEqual([400, 'HUB_ERR_VALIDATION']);
    const unknown = await api('GET', '/api/households/hh-nope/away', { token: dispatcher });
    expect(unknown.status).toBe(404);

    // Ended early by the dispatcher; a second DELETE finds none.
    const ended = await api('DELETE', '/api/households/hh-test/away', { token: dispatcher });
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ away: false, declared: null });
    expect(events[1]).toMatchObject({ name: 'awayEnded', source: 'declared', why: 'cancelled', by: 'disp' });
    expect((await api('DELETE', '/api/households/hh-test/away', { token: dispatcher })).status).toBe(404);
  });

  it('holds the bathroom and 12 h no-movement alarms while away, and expires on the clock at its end', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const events = recordAway(h);
    const bath = await connectSim(h.t, (o) => new SimMotion(o), 'pir-bath', 'bathroom');
    await bath.motion(); // 09:00, then she leaves for the hospital
    const until = MORNING + 24 * HOUR; // tomorrow 09:00
    await h.t.hub.alerts.away.declare('hh-test', { until, reason: 'in hospital', by: 'disp' });

    await clock.advanceAsync(45 * MIN);
    await clock.advanceAsync(23 * HOUR); // past the bathroom 45 min and the 12 h, all away
    expect(h.of('bathroom_inactivity')).toEqual([]);
    expect(h.of('no_movement')).toEqual([]);
    expect((await h.t.hub.alerts.away.status('hh-test')).away).toBe(true);

    await clock.advanceAsync(until - clock.now()); // the end time: the suppression expires by itself
    expect(events.at(-1)).toMatchObject({ name: 'awayEnded', source: 'declared', why: 'expired', at: until });
    expect(await h.t.hub.alerts.away.status('hh-test')).toMatchObject({ away: false, declared: null });

    // Not back: 12 h from the end of the period without movement alarm as usual.
    await clock.advanceAsync(12 * HOUR - MIN);
    expect(h.of('no_movement')).toEqual([]);
    await clock.advanceAsync(MIN);
    const raised = await h.waitFor('no_movement');
    expect(raised.alarm.explanation.en).toBe('no movement in the home since 09:00 (12 h)');
    expect(raised.alarm.openedAt).toBe(until + 12 * HOUR);
  });

  it('marks the household away while the wristband stays outside the geofence, and back when it returns', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    await h.t.hub.registry.households.upsert({
      id: 'hh-test',
      address: 'hh-test 幸福路 1号',
      grid: 'grid-1',
      location: HOME,
    });
    const events = recordAway(h);
    const band = await connectSim(h.t, (o) => new SimWristband(o), 'wb-1');
    const bath = await connectSim(h.t, (o) => new SimMotion(o), 'pir-bath', 'bathroom');

    await bath.motion();
    await band.vitals({ lat: HOME.lat + 0.009, lon: HOME.lon, accuracy: 20 }); // ~1 km away
    await clock.advanceAsync(29 * MIN);
    expect(events).toEqual([]);
    await clock.advanceAsync(MIN); // outside for 30 min: away
    expect(events).toEqual([
      expect.objectContaining({
        name: 'awayStarted',
        source: 'wristband',
        until: null,
        by: 'wb-1',
        at: MORNING + 30 * MIN,
      }),
    ]);
    expect((await h.t.hub.alerts.away.status('hh-test')).wristband).toMatchObject({
      deviceId: 'wb-1',
      since: MORNING,
    });
    expect((await h.t.hub.alerts.away.status('hh-test')).wristband?.distanceM).toBeGreaterThan(990);
    await clock.advanceAsync(30 * MIN); // 60 min after the last bathroom movement
    expect(h.of('bathroom_inactivity')).toEqual([]);

    // A fix straddling the fence changes nothing; one inside ends it.
    await band.vitals({ lat: HOME.lat + 0.0018, lon: HOME.lon, accuracy: 50 }); // ~200 m ± 50
    expect((await h.t.hub.alerts.away.status('hh-test')).away).toBe(true);
    await band.vitals({ lat: HOME.lat + 0.0002, lon: HOME.lon, accuracy: 10 });
    expect(events.at(-1)).toMatchObject({ name: 'awayEnded', source: 'wristband', why: 'returned' });
    expect((await h.t.hub.alerts.away.status('hh-test')).away).toBe(false);

    // Home again: the inactivity rules are live.
    await bath.motion();
    await clock.advanceAsync(45 * MIN);
    await h.waitFor('bathroom_inactivity');
  });

  it('a declared period that ended while the hub was down expires at once on start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-alerts-'));
    try {
      const clock = new ManualClock(MORNING);
      h = await startAlertsHub(clock, dir);
      await h.t.hub.alerts.away.declare('hh-test', {
        until: MORNING + HOUR,
        reason: 'in hospital',
        by: 'disp',
      });
      await h.t.stop();
      h = null;
      const clock2 = new ManualClock(MORNING + 2 * HOUR);
      h = await startAlertsHub(clock2, dir);
      expect((await h.t.hub.alerts.away.status('hh-test')).away).toBe(false); // past its end even before the timer
      const events = recordAway(h);
      await clock2.advanceAsync(0);
      expect(events).toEqual([expect.objectContaining({ name: 'awayEnded', why: 'expired' })]);
      expect(await h.t.hub.alerts.queries.declaredAwayPeriods()).toEqual([]); // its row is gone too
    } finally {
      await h?.t.stop();
      h = null;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
