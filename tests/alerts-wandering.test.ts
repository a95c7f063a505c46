import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { SimWristband } from '../simulators/device-types.ts';
import { type AlertsHub, connectSim, HOUR, MIN, MORNING, startAlertsHub } from './helpers/alerts.ts';

const HOME = { lat: 31.2304, lon: 121.4737 };
/** 0.0045° of latitude: about 500 m north of home. */
const OUT = { lat: HOME.lat + 0.0045, lon: HOME.lon, accuracy: 15 };
const NEAR = { lat: HOME.lat + 0.0005, lon: HOME.lon, accuracy: 10 };
/** 23:00 and 21:30 local (UTC+8) on the day of MORNING (09:00). */
const NIGHT = MORNING + 14 * HOUR;
const EVENING = MORNING + 12.5 * HOUR;

async function wanderingHub(
  clock: ManualClock,
  dir?: string,
  careNotes = ['wandering-risk'],
): Promise<AlertsHub> {
  const h = await startAlertsHub(clock, dir);
  const hh = h.t.hub.registry.households;
  await hh.upsert({ id: 'hh-test', address: 'hh-test 幸福路 1号', grid: 'grid-1', location: HOME });
  await hh.upsertResident({ id: 'res-1', householdId: 'hh-test', name: '王奶奶', careNotes });
  return h;
}

describe('night-time wandering', () => {
  let h: AlertsHub | null = null;
  const dirs: string[] = [];
  afterEach(async () => {
    await h?.t.stop();
    h = null;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('raises a critical alarm with the position when a resident at risk leaves the geofence at night', async () => {
    const clock = new ManualClock(MORNING + HOUR); // 10:00
    h = await wanderingHub(clock);
    const band = await connectSim(h.t, (o) => new SimWristband(o), 'wb-1');
    await band.vitals(OUT); // a walk in the daytime is no alarm
    await band.vitals(NEAR);
    await clock.advanceAsync(NIGHT - clock.now());
    await band.vitals(NEAR); // at home at night
    expect(h.of('wandering')).toEqual([]);

    await clock.advanceAsync(5 * MIN); // 23:05
    await band.vitals(OUT);
    const raised = await h.waitFor('wandering');
    expect(raised.alarm).toMatchObject({
      class: 'emergency',
      severity: 'critical',
      residentId: 'res-1',
      openedAt: NIGHT + 5 * MIN,
    });
    expect(raised.alarm.evidence[0]).toMatchObject({
      kind: 'message',
      deviceId: 'wb-1',
      at: NIGHT + 5 * MIN,
      values: { lat: OUT.lat, lon: OUT.lon, accuracy: 15, distanceM: 500, radiusM: 200 },
    });
    expect(raised.alarm.explanation.en).toBe(
      'resident at risk of wandering out at night: wristband 500 m from home at 23:05 (fence 200 m)',
    );
    expect(raised.alarm.explanation.zh).toBe(
      '有走失风险的住户夜间离家：23:05 手环定位距家 500 米（围栏 200 米）',
    );
  });

  it('does not alarm for a resident without the wandering-risk note, nor for one declared away', async () => {
    const clock = new ManualClock(NIGHT);
    h = await wanderingHub(clock, undefined, ['diabetic']);
    const band = await connectSim(h.t, (o) => new SimWristband(o), 'wb-1');
    await band.vitals(OUT);
    await h.t.hub.registry.households.upsertResident({
      id: 'res-1',
      householdId: 'hh-test',
      name: '王奶奶',
      careNotes: ['wandering-risk'],
    });
    await h.t.hub.alerts.away.declare('hh-test', {
      until: NIGHT + 48 * HOUR,
      reason: 'in hospital',
      by: 'disp',
    });
    await clock.advanceAsync(MIN);
    await band.vitals(OUT);
    expect(h.of('wandering')).toEqual([]);
  });

  it('still out when the night begins: the pending check fires on time across a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-alerts-'));
    dirs.push(dir);
    const clock = new ManualClock(EVENING); // 21:30
    h = await wanderingHub(clock, dir);
    const band = await connectSim(h.t, (o) => new SimWristband(o), 'wb-1');
    await band.vitals(OUT);
    expect(h.of('wandering')).toEqual([]);
    await clock.advanceAsync(10 * MIN);
    await band.end();
    await h.t.stop();
    h = null;

    const clock2 = new ManualClock(EVENING + 20 * MIN); // down for 10 min, back at 21:50
    h = await wanderingHub(clock2, dir);
    await clock2.advanceAsync(10 * MIN - 1000);
    expect(h.of('wandering')).toEqual([]);
    await clock2.advanceAsync(1000); // 22:00
    const raised = await h.waitFor('wandering');
    expect(raised.alarm).toMatchObject({ severity: 'critical', late: false, openedAt: EVENING + 30 * MIN });
    expect(raised.alarm.explanation.en).toContain('500 m from home at 21:30');
  });

  it('a position back inside before the night cancels the pending check', async () => {
    const clock = new ManualClock(EVENING);
    h = await wanderingHub(clock);
    const band = await connectSim(h.t, (o) => new SimWristband(o), 'wb-1');
    await band.vitals(OUT);
    await clock.advanceAsync(15 * MIN);
    await band.vitals(NEAR);
    await clock.advanceAsync(HOUR);
    expect(h.of('wandering')).toEqual([]);
  });
});
