import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HourCell } from '../ingest/influx-history-aggregator.ts';
import { ManualClock } from '../kernel/clock.ts';
import { until } from '../simulators/device.ts';
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
import { type Api, apiClient, errorCode, userWithToken } from './helpers/api.ts';

const DAY = 24 * HOUR;
/** Local midnight (UTC+8) that starts the day of MORNING (2026-11-28 09:00 local). */
const MIDNIGHT = MORNING - 9 * HOUR;

interface Rhythm {
  householdId: string;
  date: string;
  dayStart: number;
  source: string;
  today: { motions: number[]; liters: number[]; hoursElapsed: number };
  usual: { motions: number[]; liters: number[]; days: number };
  baseline: { days: number; firstMotionMin: number | null; dailyLiters: number | null } | null;
}

/**
 * Past days in the local history (hourly aggregates imported through the history module, as
 * alerts-baselines.test.ts does): `days` days before today with 4 motion events at 07:00 and 20 litres at
 * 08:00 local, except that every other day also has 2 motions at 21:00.
 */
async function pastDays(h: AlertsHub, days: number): Promise<void> {
  const hours: HourCell[] = [];
  const add = (...args: Parameters<typeof hourCell>) => hours.push(hourCell(...args));
  for (let d = 1; d <= days; d++) {
    const day = MIDNIGHT - d * DAY;
    add('pir-1', 'seen', day + 7 * HOUR, 'living', 4, 4);
    add('pir-1', 'motion', day + 7 * HOUR, 'living', 4, 4);
    if (d % 2 === 0) add('pir-1', 'motion', day + 21 * HOUR, 'living', 2, 2);
    add('wm-1', 'seen', day + 8 * HOUR, 'kitchen', 2, 2);
    add('wm-1', 'usage_liters', day + 8 * HOUR, 'kitchen', 1, 20);
  }
  await h.t.hub.history.importHours(hours);
}

/**
 * GET /api/households/:id/rhythm: a day's hourly activity and water beside the usual day, for the family
 * page — only hourly counts, only for a family whose household shares its rhythm.
 */
describe('daily rhythm API', () => {
  const clock = new ManualClock(MORNING);
  let h: AlertsHub;
  let api: Api;
  let dispatcher: string;
  let family: string;
  let familyStatusOnly: string;
  let familyOther: string;

  beforeAll(async () => {
    h = await startAlertsHub(clock);
    api = apiClient(h.t.httpUrl);
    await pastDays(h, 6); // six days with data; the seventh before today has none (left out of the mean)
    // Today, through real devices: 3 motions at 09:00 and 5 litres at 09:20 local.
    const pir = await connectSim(h.t, (o) => new SimMotion(o), 'pir-1', 'living');
    const meter = await connectSim(
      h.t,
      (o) => new SimWaterMeter({ ...o, totalLiters: 1000 }),
      'wm-1',
      'kitchen',
    );
    await meter.use(0);
    for (let i = 0; i < 3; i++) await pir.motion();
    await clock.advanceAsync(20 * MIN);
    await meter.use(5);
    await until(async () => (await h.t.hub.ingest.queries.messageCount()) >= 5, 3000, 'messages stored');
    await pir.end();
    await meter.end();
    await clock.advanceAsync(70 * MIN); // 10:30 local
    await h.t.hub.registry.households.upsert({
      id: 'hh-test',
      address: 'hh-test 幸福路 1号',
      grid: 'grid-1',
      sharing: 'rhythm',
    });
    await h.t.hub.registry.households.upsert({ id: 'hh-s', address: 'hh-s 幸福路 5号', grid: 'grid-1' });
    await h.t.hub.alerts.baselines.recomputeAll();

    const admin = await h.t.login();
    dispatcher = await userWithToken(h.t, api, admin, { username: 'd.rh', role: 'dispatcher' });
    family = await userWithToken(h.t, api, admin, {
      username: 'f.rh',
      role: 'family',
      households: ['hh-test'],
    });
    familyStatusOnly = await userWithToken(h.t, api, admin, {
      username: 'f.st',
      role: 'family',
      households: ['hh-s'],
    });
    familyOther = await userWithToken(h.t, api, admin, { username: 'f.ot', role: 'family', households: [] });
  });
  afterAll(() => h?.t.stop());

  it("answers today's hourly counts beside the mean of the days before with data, and the baseline", async () => {
    const a = await api('GET', '/api/households/hh-test/rhythm', { token: family });
    expect(a.status).toBe(200);
    const r = a.body as Rhythm;
    expect(r).toMatchObject({
      householdId: 'hh-test',
      date: '2026-11-28',
      dayStart: MIDNIGHT,
      source: 'local',
    });
    expect(r.today.hoursElapsed).toBe(11);
    expect(r.today.motions[9]).toBe(3);
    expect(r.today.liters[9]).toBe(5);
    expect(r.today.motions.reduce((x, y) => x + y, 0)).toBe(3);
    expect(r.usual.days).toBe(6);
    expect(r.usual.motions[7]).toBe(4);
    expect(r.usual.motions[21]).toBe(1); // 2 on three of the six days
    expect(r.usual.liters[8]).toBe(20);
    expect(r.usual.motions[9]).toBe(0);
    expect(r.baseline).toMatchObject({ days: 6, firstMotionMin: 7 * 60, dailyLiters: 20 });
    // Hourly counts only: no device, reading or register value on the wire.
    expect(a.text).not.toMatch(/pir-1|wm-1|1005|total/);

    // An earlier day by date: that day is "today" of the answer, the 7 before it the usual.
    const past = await api('GET', '/api/households/hh-test/rhythm?date=2026-11-26', { token: dispatcher });
    expect(past.status).toBe(200);
    const p = past.body as Rhythm;
    expect(p).toMatchObject({ date: '2026-11-26', dayStart: MIDNIGHT - 2 * DAY });
    expect(p.today.motions[7]).toBe(4);
    expect(p.today.motions[21]).toBe(2);
    expect(p.today.hoursElapsed).toBe(24);
    expect(p.usual.days).toBe(4);
  });

  it('refuses a family without rhythm sharing (403), another household (404), and bad dates (400)', async () => {
    const statusOnly = await api('GET', '/api/households/hh-s/rhythm', { token: familyStatusOnly });
    expect([statusOnly.status, errorCode(statusOnly)]).toEqual([403, 'HUB_ERR_FORBIDDEN']);
    // The dispatch center always sees it.
    expect((await api('GET', '/api/households/hh-s/rhythm', { token: dispatcher })).status).toBe(200);
    for (const [token, household] of [
      [familyStatusOnly, 'hh-test'],
      [familyOther, 'hh-test'],
      [familyOther, 'hh-none'],
      [family, 'hh-s'],
      [family, 'hh-none'],
    ] as const) {
      const refused = await api('GET', `/api/households/${household}/rhythm`, { token });
      expect([household, refused.status, errorCode(refused)]).toEqual([
        household,
        404,
        'HUB_ERR_HOUSEHOLD_UNKNOWN',
      ]);
      expect(refused.text).not.toContain('motions');
    }
    for (const date of ['2026-13-01', '2026-02-30', 'yesterday', '2026-11-29']) {
      const bad = await api('GET', `/api/households/hh-test/rhythm?date=${date}`, { token: family });
      expect([date, bad.status]).toEqual([date, 400]);
    }
    expect(
      (await api('GET', '/api/households/hh-test/rhythm?household=hh-s', { token: family })).status,
    ).toBe(400);
    expect((await api('GET', '/api/households/hh-test/rhythm')).status).toBe(401);
  });
});
