import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../simulators/device.ts';
import { type Influxd, startInfluxd } from '../simulators/influxd.ts';
import { type Api, apiClient, errorCode, userWithToken } from './helpers/api.ts';
import { connectDevice } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

const KINDS = ['activity', 'water', 'vitals', 'battery', 'last-seen'] as const;
const path = (household: string, kind: string, query = '') =>
  `/api/households/${household}/history/${kind}${query}`;

/**
 * The history routes on a hub without InfluxDB (answered from the local hourly aggregates): who may ask
 * what about which household. hh-r shares its daily rhythm with its family, hh-s only its status.
 */
describe('history API', () => {
  let t: TestHub;
  let api: Api;
  let dispatcher: string;
  let familyRhythm: string;
  let familyStatus: string;

  beforeAll(async () => {
    t = await startTestHub();
    api = apiClient(t.httpUrl);
    await t.hub.registry.households.upsert({
      id: 'hh-r',
      address: 'hh-r 幸福路 2号',
      grid: 'grid-1',
      sharing: 'rhythm',
    });
    await t.hub.registry.households.upsert({
      id: 'hh-s',
      address: 'hh-s 幸福路 3号',
      grid: 'grid-1',
      sharing: 'status',
    });
    const pir = await connectDevice(t, 'pir-r', 'motion', { householdId: 'hh-r', room: 'bedroom' });
    const meter = await connectDevice(t, 'wm-r', 'water_meter', { householdId: 'hh-r', room: 'kitchen' });
    const band = await connectDevice(t, 'wb-r', 'wristband', { householdId: 'hh-r', room: 'bedroom' });
    const pirS = await connectDevice(t, 'pir-s', 'motion', { householdId: 'hh-s', room: 'living' });
    await pir.event('motion');
    await pir.event('motion');
    await pirS.event('motion');
    await meter.telemetry({ totalLiters: 100 });
    await meter.telemetry({ totalLiters: 104 });
    await band.telemetry({ heartRate: 72, spo2: 97, battery: 81 });
    for (const d of [pir, meter, band, pirS]) await d.end();
    await until(async () => (await t.hub.ingest.queries.messageCount()) >= 10, 3000, 'messages stored');

    const admin = await t.login();
    dispatcher = await userWithToken(t, api, admin, { username: 'd.hist', role: 'dispatcher' });
    familyRhythm = await userWithToken(t, api, admin, {
      username: 'f.rhythm',
      role: 'family',
      households: ['hh-r'],
    });
    familyStatus = await userWithToken(t, api, admin, {
      username: 'f.status',
      role: 'family',
      households: ['hh-s'],
    });
  });
  afterAll(() => t?.stop());

  it('answers the dispatch center every question about a household, saying the source served it', async () => {
    const activity = await api('GET', path('hh-r', 'activity'), { token: dispatcher });
    expect(activity.status).toBe(200);
    expect(activity.body).toMatchObject({ source: 'local', rows: [{ room: 'bedroom', motions: 2 }] });

    const water = await api('GET', path('hh-r', 'water', '?bucket=day'), { token: dispatcher });
    expect(water.status).toBe(200);
    const liters = (water.body as { rows: Array<{ liters: number }> }).rows.reduce((n, r) => n + r.liters, 0);
    expect(liters).toBe(4);

    const vitals = await api('GET', path('hh-r', 'vitals'), { token: dispatcher });
    expect(vitals.status).toBe(200);
    expect(vitals.body).toMatchObject({
      source: 'local',
      rows: [{ deviceId: 'wb-r', heartRate: { mean: 72 }, spo2: { mean: 97 } }],
    });
    const battery = await api('GET', path('hh-r', 'battery'), { token: dispatcher });
    expect(battery.body).toMatchObject({ source: 'local', rows: [{ deviceId: 'wb-r', battery: 81 }] });
    const seen = await api('GET', path('hh-r', 'last-seen'), { token: dispatcher });
    const seenIds = (seen.body as { rows: Array<{ deviceId: string }> }).rows.map((r) => r.deviceId);
    expect(seenIds.sort()).toEqual(['pir-r', 'wb-r', 'wm-r']);

    // Bounded: more than 31 days, or a reversed range, is refused.
    const now = Date.now();
    const wide = await api('GET', path('hh-r', 'activity', `?from=${now - 32 * 86_400_000}&to=${now}`), {
      token: dispatcher,
    });
    expect(wide.status).toBe(400);
    expect(
      (await api('GET', path('hh-r', 'battery', `?from=${now}&to=${now - 1}`), { token: dispatcher })).status,
    ).toBe(400);
    // An unknown household is 404 for the dispatch center too.
    expect((await api('GET', path('hh-none', 'activity'), { token: dispatcher })).status).toBe(404);
  });

  it('shows a family the hourly rhythm of its household only when it shares it, never raw sensor data', async () => {
    const activity = await api('GET', path('hh-r', 'activity'), { token: familyRhythm });
    expect(activity.status).toBe(200);
    expect(activity.body).toMatchObject({ rows: [{ room: 'bedroom', motions: 2 }] });
    expect((await api('GET', path('hh-r', 'water'), { token: familyRhythm })).status).toBe(200);
    for (const kind of ['vitals', 'battery', 'last-seen']) {
      const raw = await api('GET', path('hh-r', kind), { token: familyRhythm });
      expect([kind, raw.status, errorCode(raw)]).toEqual([kind, 403, 'HUB_ERR_FORBIDDEN']);
    }

    // hh-s shares only its status: its own family gets 403 for the rhythm too.
    for (const kind of ['activity', 'water']) {
      const refused = await api('GET', path('hh-s', kind), { token: familyStatus });
      expect([kind, refused.status, errorCode(refused)]).toEqual([kind, 403, 'HUB_ERR_FORBIDDEN']);
    }
  });

  it("answers a family 404 for another household's history, exactly as for a guessed id", async () => {
    for (const kind of KINDS) {
      for (const household of ['hh-r', 'hh-none', 'hh-1']) {
        const answer = await api('GET', path(household, kind), { token: familyStatus });
        expect([kind, household, answer.status, errorCode(answer)]).toEqual([
          kind,
          household,
          404,
          'HUB_ERR_HOUSEHOLD_UNKNOWN',
        ]);
      }
      const other = await api('GET', path('hh-s', kind), { token: familyRhythm });
      expect([kind, other.status]).toEqual([kind, 404]);
    }
  });

  it('refuses every history question without a session', async () => {
    for (const kind of KINDS) {
      const answer = await api('GET', path('hh-r', kind));
      expect([kind, answer.status, errorCode(answer)]).toEqual([kind, 401, 'HUB_ERR_UNAUTHENTICATED']);
    }
  });
});

describe('history API with InfluxDB configured', () => {
  let influx: Influxd;
  let t: TestHub;

  beforeAll(async () => {
    influx = await startInfluxd(['api-history']);
    t = await startTestHub({ influxUrl: influx.url, influxDatabase: 'api-history', influxLingerMs: 0 });
  });
  afterAll(async () => {
    await t?.stop();
    await influx?.destroy();
  });

  it('answers from InfluxDB and says so', async () => {
    const pir = await connectDevice(t, 'pir-i', 'motion', { householdId: 'hh-i', room: 'bathroom' });
    await pir.event('motion');
    await pir.end();
    await until(async () => (await t.hub.ingest.queries.outboxDepth()) === 0, 5000, 'written to InfluxDB');
    const api = apiClient(t.httpUrl);
    const dispatcher = await userWithToken(t, api, await t.login(), {
      username: 'd.influx',
      role: 'dispatcher',
    });
    const activity = await api('GET', path('hh-i', 'activity'), { token: dispatcher });
    expect(activity.body).toMatchObject({ source: 'influx', rows: [{ room: 'bathroom', motions: 1 }] });
  });
});
