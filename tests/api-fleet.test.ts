import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { SimButton, SimMotion, SimWristband } from '../simulators/device-types.ts';
import { connectSim, MIN, MORNING } from './helpers/alerts.ts';
import { errorCode } from './helpers/api.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

interface Fleet {
  counts: Record<string, number>;
  offline: Array<{ clientId: string; state: string; householdId: string | null }>;
  batteryLow: Array<{ deviceId: string | null; battery: number | null }>;
  unprotected: Array<{ deviceId: string | null; reason: string; householdId: string }>;
  quarantine: { last24h: number; byCode: Record<string, number>; recent: Array<{ clientId: string }> };
  deadLetter: { total: number };
}

describe('GET /api/fleet: the supervisor’s fleet health', () => {
  let h: IncidentsHub | null = null;
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  it('counts devices offline or silent, batteries low, residents unprotected and quarantined input', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const t = h.t;
    const button = await connectSim(t, (o) => new SimButton(o), 'btn-f1');
    const band = await connectSim(t, (o) => new SimWristband(o), 'wb-f1');
    const motion = await connectSim(t, (o) => new SimMotion(o), 'pir-f1', 'living');
    await button.telemetry({ battery: 5 }); // below the 20 % default
    await band.telemetry({ heartRate: 70 });
    await motion.telemetry({ battery: 90 });
    await h.waitFor('battery_low');
    await button.raw('event', '{"event":"sos",', 1); // not JSON: quarantined
    // A second wristband is taken off and stays off for 2 h (active hours), still talking.
    const offWrist = await connectSim(t, (o) => new SimWristband(o), 'wb-f2');
    await offWrist.removed();
    for (let i = 0; i < 13; i++) {
      await clock.advanceAsync(10 * MIN);
      await button.telemetry({ battery: 5 });
      await offWrist.telemetry({ heartRate: 0 });
      await band.telemetry({ heartRate: 70 });
    }
    await h.waitFor('wristband_removed');

    // The wristband falls silent (3 × 5 min); the motion sensor disconnects.
    await motion.end();
    for (let i = 0; i < 2; i++) {
      await clock.advanceAsync(8 * MIN);
      await button.telemetry({ battery: 5 }); // the button and the wristband taken off keep talking
      await offWrist.telemetry({ heartRate: 0 });
    }
    await expect
      .poll(async () => (await h?.alarms('device_silent'))?.length, {
        timeout: 3000,
        message: 'device_silent alarm',
      })
      .toBe(1);

    const supervisor = await h.user('sup-f', 'supervisor');
    const answer = await h.api('GET', '/api/fleet', { token: supervisor.token });
    expect(answer.status).toBe(200);
    const fleet = answer.body as Fleet;
    expect(fleet.counts).toMatchObject({ devices: 4, batteryLow: 1, quarantine24h: 1, deadLetter: 0 });
    expect(fleet.batteryLow).toEqual([expect.objectContaining({ deviceId: 'btn-f1', battery: 5 })]);
    expect(fleet.offline.map((o) => [o.clientId, o.state]).sort()).toEqual([
      ['pir-f1', 'offline'],
      ['wb-f1', 'silent'],
    ]);
    expect(fleet.offline.every((o) => o.householdId === 'hh-test')).toBe(true);
    // The silent wristband is the resident's lifeline; the motion sensor is not.
    expect(fleet.unprotected.map((u) => [u.deviceId, u.reason]).sort()).toEqual([
      ['wb-f1', 'lifeline_silent'],
      ['wb-f2', 'wristband_removed'],
    ]);
    expect(fleet.quarantine.byCode).toEqual({ invalid_json: 1 });
    expect(fleet.quarantine.recent[0]?.clientId).toBe('btn-f1');

    // A day later the quarantined message is no longer counted as recent.
    await clock.advanceAsync(24 * 60 * MIN);
    const token = await t.login('sup-f', 'sup-f-password'); // the first session has expired
    const later = (await h.api('GET', '/api/fleet', { token })).body as Fleet;
    expect(later.quarantine.last24h).toBe(0);
    await button.end();
    await band.end();
    await offWrist.end();
  });

  it('is for the dispatch center: a family user gets 403', async () => {
    h = await startIncidentsHub(new ManualClock(MORNING));
    const family = await h.user('fam-f', 'family', ['hh-test']);
    const answer = await h.api('GET', '/api/fleet', { token: family.token });
    expect(answer.status).toBe(403);
    expect(errorCode(answer)).toBe('HUB_ERR_FORBIDDEN');
  });
});
