import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { SimMotion, SimWristband } from '../simulators/device-types.ts';
import { type AlertsHub, connectSim, MIN, MORNING, startAlertsHub } from './helpers/alerts.ts';
import { apiClient, errorCode, userWithToken } from './helpers/api.ts';

describe('per-household and per-resident alert settings', () => {
  let h: AlertsHub | null = null;
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  it('fires the bathroom alarm at 30 min for a household that overrides it, still at 45 for another', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const t = h.t;
    await t.hub.registry.households.upsert({
      id: 'hh-other',
      address: 'hh-other 幸福路 2号',
      grid: 'grid-1',
    });
    await t.hub.registry.households.upsertResident({ id: 'res-2', householdId: 'hh-other', name: '李爷爷' });
    const api = apiClient(t.httpUrl);
    const admin = await t.login();

    const put = await api('PUT', '/api/households/hh-test/alert-settings', {
      token: admin,
      body: { bathroomStillMs: 30 * MIN },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      defaults: { bathroomStillMs: 45 * MIN },
      household: { bathroomStillMs: 30 * MIN },
      effective: { bathroomStillMs: 30 * MIN, heartRateHigh: 130 },
    });

    const bath = await connectSim(t, (o) => new SimMotion(o), 'pir-bath', 'bathroom');
    const otherSecret = await t.provisionDevice({
      id: 'pir-bath-2',
      type: 'motion',
      householdId: 'hh-other',
      room: 'bathroom',
    });
    const otherBath = await new SimMotion({
      url: t.mqttUrl,
      id: 'pir-bath-2',
      secret: otherSecret,
    }).connect();
    await bath.motion();
    await otherBath.motion();
    const bathroom = (hh: string) =>
      h?.of('bathroom_inactivity').filter((e) => e.name === 'alarmRaised' && e.alarm.householdId === hh) ??
      [];

    await clock.advanceAsync(30 * MIN - 1000);
    expect(bathroom('hh-test')).toEqual([]);
    await clock.advanceAsync(1000);
    await h.waitFor('bathroom_inactivity');
    expect(bathroom('hh-test')).toHaveLength(1);
    expect(bathroom('hh-test')[0]?.alarm.explanation.en).toContain('30 min');
    expect(bathroom('hh-other')).toEqual([]);

    await clock.advanceAsync(15 * MIN - 1000);
    expect(bathroom('hh-other')).toEqual([]);
    await clock.advanceAsync(1000);
    await h.waitFor('bathroom_inactivity', 'alarmRaised', 2);
    expect(bathroom('hh-other')).toHaveLength(1);
    expect(bathroom('hh-other')[0]?.alarm.residentId).toBe('res-2');
  });

  it("uses a resident's heart-rate upper bound over the household's and the default, until removed", async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const api = apiClient(h.t.httpUrl);
    const admin = await h.t.login();
    const supervisor = await userWithToken(h.t, api, admin, { username: 'sup', role: 'supervisor' });

    expect(
      (
        await api('PUT', '/api/households/hh-test/alert-settings', {
          token: admin,
          body: { heartRateHigh: 140 },
        })
      ).status,
    ).toBe(200);
    const put = await api('PUT', '/api/residents/res-1/alert-settings', {
      token: supervisor,
      body: { heartRateHigh: 150 },
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({
      defaults: { heartRateHigh: 130 },
      household: { heartRateHigh: 140 },
      resident: { heartRateHigh: 150 },
      effective: { heartRateHigh: 150, heartRateLow: 40 },
    });

    const band = await connectSim(h.t, (o) => new SimWristband(o), 'wb-1');
    for (let i = 0; i < 4; i++) {
      await clock.advanceAsync(5 * MIN);
      await band.vitals({ heartRate: 145 }); // above the household's 140, below the resident's 150
    }
    expect(h.of('abnormal_vitals')).toEqual([]);

    // Without the resident's override the household's bound applies at once (the cache is invalidated).
    const removed = await api('DELETE', '/api/residents/res-1/alert-settings', { token: supervisor });
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({ resident: {}, effective: { heartRateHigh: 140 } });
    for (let i = 0; i < 3; i++) {
      await clock.advanceAsync(5 * MIN);
      await band.vitals({ heartRate: 145 });
    }
    const raised = await h.waitFor('abnormal_vitals');
    expect(raised.alarm.explanation.en).toContain('heart rate 145 bpm (> 140)');
    expect((await api('DELETE', '/api/residents/res-1/alert-settings', { token: admin })).status).toBe(404);
  });

  it('refuses unknown keys and values out of range, and lets dispatchers read but not write', async () => {
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock);
    const t = h.t;
    const api = apiClient(t.httpUrl);
    const admin = await t.login();
    const dispatcher = await userWithToken(t, api, admin, { username: 'disp', role: 'dispatcher' });
    const family = await userWithToken(t, api, admin, {
      username: 'li',
      role: 'family',
      households: ['hh-test'],
    });
    const path = '/api/households/hh-test/alert-settings';

    const unknown = await api('PUT', path, { token: admin, body: { bathroomMinutes: 30 } });
    expect(unknown.status).toBe(400);
    expect(errorCode(unknown)).toBe('HUB_ERR_VALIDATION');
    const tooShort = await api('PUT', path, { token: admin, body: { bathroomStillMs: 45 } });
    expect(tooShort.status).toBe(400);
    const badHours = await api('PUT', path, { token: admin, body: { activeHours: { startHour: 7 } } });
    expect(badHours.status).toBe(400);
    const inverted = await api('PUT', path, { token: admin, body: { heartRateLow: 90, heartRateHigh: 80 } });
    expect(inverted.status).toBe(400);
    expect((await api('GET', path, { token: admin })).body).toMatchObject({ household: {} });

    const denied = await api('PUT', path, { token: dispatcher, body: { bathroomStillMs: 30 * MIN } });
    expect(denied.status).toBe(403);
    expect((await api('DELETE', path, { token: dispatcher })).status).toBe(403);
    const read = await api('GET', path, { token: dispatcher });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ effective: { bathroomStillMs: 45 * MIN, geofenceRadiusM: 200 } });
    expect((await api('GET', path, { token: family })).status).toBe(403);
    expect((await api('GET', '/api/households/hh-nope/alert-settings', { token: admin })).status).toBe(404);
    expect((await api('GET', '/api/residents/res-nope/alert-settings', { token: admin })).status).toBe(404);

    // Overrides survive a write of another key (merged), and hours are overridden as a whole.
    await api('PUT', path, { token: admin, body: { geofenceRadiusM: 500 } });
    const merged = await api('PUT', path, {
      token: admin,
      body: { activeHours: { startHour: 8, endHour: 21 } },
    });
    expect(merged.body).toMatchObject({
      household: { geofenceRadiusM: 500, activeHours: { startHour: 8, endHour: 21 } },
      effective: {
        geofenceRadiusM: 500,
        activeHours: { startHour: 8, endHour: 21 },
        nightHours: { startHour: 22 },
      },
    });
  });
});
