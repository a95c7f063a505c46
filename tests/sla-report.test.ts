import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentStage, IncidentState } from '../alerts/incidents/events.ts';
import { type Incident, initialStages, openedIncident } from '../alerts/incidents/model.ts';
import { cronTimezone } from '../alerts/incidents/sla-daily.ts';
import type { SlaReport } from '../alerts/incidents/sla-report.ts';
import type { IncidentStore } from '../alerts/store/types.ts';
import { ManualClock } from '../kernel/clock.ts';
import { loadConfig } from '../kernel/config.ts';
import { type Api, apiClient, errorCode, userWithToken } from './helpers/api.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

const S = 1000;
const MIN = 60 * S;
const HOUR = 60 * MIN;
/** 10:00 local (UTC+8, the default historyUtcOffsetMinutes) on 2026-11-27. */
const T0 = Date.parse('2026-11-27T02:00:00Z');
/** 23:30 local on 2026-11-26: the day before, by local time, though the same UTC day as T0. */
const LATE_EVENING = Date.parse('2026-11-26T15:30:00Z');
/** The report's "now": 09:00 local on 2026-11-28. */
const NOW = Date.parse('2026-11-28T01:00:00Z');

interface Spec {
  id: string;
  householdId: string;
  cls: Incident['class'];
  openedAt: number;
  state: IncidentState;
  responderId?: string;
  /** ms after opening */
  closedAfter?: number;
  /** per stage: reached after ms (null: not), and met as the hub recorded it */
  done: Partial<Record<IncidentStage, { after: number | null; met: boolean | null }>>;
}

/** Writes an incident straight through the store, as the service would have left it. */
async function insert(store: IncidentStore, s: Spec): Promise<void> {
  const stages = initialStages(s.cls, s.openedAt);
  for (const [stage, d] of Object.entries(s.done) as Array<
    [IncidentStage, { after: number | null; met: boolean | null }]
  >) {
    const rec = stages[stage];
    if (!rec) throw new Error(`${s.id}: no ${stage} stage for ${s.cls}`);
    stages[stage] = {
      dueAt: rec.dueAt,
      doneAt: d.after === null ? null : s.openedAt + d.after,
      tookMs: d.after,
      met: d.met,
    };
  }
  const base: Incident = openedIncident({
    id: s.id,
    householdId: s.householdId,
    residentId: null,
    alarmType: s.cls === 'emergency' ? 'sos' : 'water_leak',
    class: s.cls,
    severity: 'critical',
    openedAt: s.openedAt,
    explanation: { zh: '', en: '' },
  });
  if (!(await store.insert(base))) throw new Error(`${s.id}: not inserted`);
  const closedAt = s.closedAfter === undefined ? null : s.openedAt + s.closedAfter;
  const final: Incident = { ...base, state: s.state, responderId: s.responderId ?? null, closedAt, stages };
  if (!(await store.update(final, 'open'))) throw new Error(`${s.id}: not updated`);
}

/**
 * The hand-computed set. Emergencies E1–E5, one non-emergency N1; grid-1 = hh-a, grid-2 = hh-b.
 *   E1 hh-a r-1: ack 20 s, accept 60 s, on site 8 min, resolved 20 min — all in time
 *   E2 hh-a r-1: ack 90 s (30 s late), accept 150 s, on site 16 min (60 s late), resolved 30 min
 *   E3 hh-b r-2: ack 40 s, accept 2 min, on site 12 min, resolved 25 min
 *   E4 hh-b:     cancelled at 30 s, before any deadline — counted nowhere but `incidents`
 *   E5 hh-b:     23:30 the evening before; never acknowledged, cancelled at 5 min: ack missed by 240 s,
 *                accept by 120 s; on site (due 15 min) not counted
 *   N1 hh-a:     non-emergency, accepted after 2 h (1 h late), resolve still within its 15 days
 */
const SET: Spec[] = [
  {
    id: 'E1',
    householdId: 'hh-a',
    cls: 'emergency',
    openedAt: T0,
    state: 'resolved',
    responderId: 'r-1',
    closedAfter: 20 * MIN,
    done: {
      acknowledge: { after: 20 * S, met: true },
      accept: { after: MIN, met: true },
      on_site: { after: 8 * MIN, met: true },
    },
  },
  {
    id: 'E2',
    householdId: 'hh-a',
    cls: 'emergency',
    openedAt: T0 + HOUR,
    state: 'resolved',
    responderId: 'r-1',
    closedAfter: 30 * MIN,
    done: {
      acknowledge: { after: 90 * S, met: false },
      accept: { after: 150 * S, met: true },
      on_site: { after: 16 * MIN, met: false },
    },
  },
  {
    id: 'E3',
    householdId: 'hh-b',
    cls: 'emergency',
    openedAt: T0 + 2 * HOUR,
    state: 'resolved',
    responderId: 'r-2',
    closedAfter: 25 * MIN,
    done: {
      acknowledge: { after: 40 * S, met: true },
      accept: { after: 2 * MIN, met: true },
      on_site: { after: 12 * MIN, met: true },
    },
  },
  {
    id: 'E4',
    householdId: 'hh-b',
    cls: 'emergency',
    openedAt: T0 + 3 * HOUR,
    state: 'cancelled',
    closedAfter: 30 * S,
    done: {},
  },
  {
    id: 'E5',
    householdId: 'hh-b',
    cls: 'emergency',
    openedAt: LATE_EVENING,
    state: 'cancelled',
    closedAfter: 5 * MIN,
    done: { acknowledge: { after: null, met: false }, accept: { after: null, met: false } },
  },
  {
    id: 'N1',
    householdId: 'hh-a',
    cls: 'non_emergency',
    openedAt: T0 + 4 * HOUR,
    state: 'acknowledged',
    done: { accept: { after: 2 * HOUR, met: false } },
  },
];

const share = (met: number, counted: number) => ({ met, counted, share: counted ? met / counted : null });
const timing = (count: number, medianMs: number | null, p90Ms: number | null) => ({ count, medianMs, p90Ms });

describe('SLA report', () => {
  const clock = new ManualClock(NOW);
  let t: TestHub;
  let api: Api;
  let admin: string;
  let dispatcher: string;
  let family: string;

  beforeAll(async () => {
    t = await startTestHub({}, { clock });
    api = apiClient(t.httpUrl);
    await t.hub.registry.households.upsert({ id: 'hh-a', address: 'A 路 1号', grid: 'grid-1' });
    await t.hub.registry.households.upsert({ id: 'hh-b', address: 'B 路 2号', grid: 'grid-2' });
    for (const s of SET) await insert(t.hub.alerts.incidents.store, s);
    admin = await t.login();
    dispatcher = await userWithToken(t, api, admin, { username: 'disp', role: 'dispatcher' });
    family = await userWithToken(t, api, admin, { username: 'fam', role: 'family', households: ['hh-a'] });
  });
  afterAll(async () => {
    await t.stop();
  });

  /** Two local days: 2026-11-26 and 2026-11-27 (UTC+8). */
  const RANGE = '/api/reports/sla?from=2026-11-26&to=2026-11-28';

  it('computes the figures of the hand-computed set: total, per day, grid and responder, breaches', async () => {
    const res = await api('GET', RANGE, { token: dispatcher });
    expect(res.status).toBe(200);
    const r = res.body as SlaReport;
    expect(r.from).toBe(Date.parse('2026-11-25T16:00:00Z'));
    expect(r.to).toBe(Date.parse('2026-11-27T16:00:00Z'));
    expect(r.asOf).toBe(NOW);
    expect(r.total).toEqual({
      incidents: 6,
      emergencies: 5,
      // E1, E3 in time; E2 late; E5 missed; E4 cancelled before its deadline: not counted
      acknowledgedWithin60s: share(2, 4),
      // E1, E3 in time; E2 late; E4 and E5 cancelled before 15 min: not counted
      onSiteWithin15min: share(2, 3),
      stages: {
        acknowledge: timing(3, 40 * S, 90 * S),
        accept: timing(3, 2 * MIN, 150 * S),
        on_site: timing(3, 12 * MIN, 16 * MIN),
        resolve: timing(3, 25 * MIN, 30 * MIN),
      },
      breaches: 5,
    });
    expect(r.byDay.map((d) => [d.day, d.incidents, d.emergencies, d.breaches])).toEqual([
      ['2026-11-26', 1, 1, 2],
      ['2026-11-27', 5, 4, 3],
    ]);
    const grid1 = r.byGrid.find((g) => g.grid === 'grid-1');
    // Two values: the median is their mean, the 90th percentile (nearest rank) the larger.
    expect(grid1).toMatchObject({
      incidents: 3,
      emergencies: 2,
      acknowledgedWithin60s: share(1, 2),
      onSiteWithin15min: share(1, 2),
      stages: { acknowledge: timing(2, 55 * S, 90 * S), on_site: timing(2, 12 * MIN, 16 * MIN) },
      breaches: 3,
    });
    expect(r.byGrid.find((g) => g.grid === 'grid-2')).toMatchObject({
      incidents: 3,
      emergencies: 3,
      acknowledgedWithin60s: share(1, 2),
      onSiteWithin15min: share(1, 1),
      breaches: 2,
    });
    expect(r.byResponder.map((x) => [x.responderId, x.incidents, x.breaches])).toEqual([
      ['r-1', 2, 2],
      ['r-2', 1, 0],
      [null, 3, 3],
    ]);
    expect(r.breaches.map((b) => [b.incidentId, b.stage, b.lateByMs, b.reason])).toEqual([
      ['E5', 'acknowledge', 240 * S, 'acknowledge not reached; cancelled 240 s after its deadline'],
      ['E5', 'accept', 120 * S, 'accept not reached; cancelled 120 s after its deadline'],
      ['E2', 'acknowledge', 30 * S, 'acknowledge reached 30 s after its deadline'],
      ['E2', 'on_site', MIN, 'on_site reached 60 s after its deadline'],
      ['N1', 'accept', HOUR, 'accept reached 3600 s after its deadline'],
    ]);
    expect(r.breaches[2]).toMatchObject({
      grid: 'grid-1',
      responderId: 'r-1',
      dueAt: T0 + HOUR + MIN,
      doneAt: T0 + HOUR + 90 * S,
    });
  });

  it('answers CSV with ?format=csv and with Accept: text/csv', async () => {
    const byQuery = await api('GET', `${RANGE}&format=csv`, { token: admin });
    expect(byQuery.status).toBe(200);
    expect(byQuery.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = byQuery.text.trimEnd().split('\r\n');
    expect(lines[0]).toBe(
      'scope,key,incidents,emergencies,ack_within_60s,ack_counted,ack_share,on_site_within_15min,' +
        'on_site_counted,on_site_share,acknowledge_count,acknowledge_median_ms,acknowledge_p90_ms,' +
        'accept_count,accept_median_ms,accept_p90_ms,on_site_count,on_site_median_ms,on_site_p90_ms,' +
        'resolve_count,resolve_median_ms,resolve_p90_ms,breaches',
    );
    expect(lines[1]).toBe(
      `total,,6,5,2,4,0.5,2,3,${2 / 3},3,40000,90000,3,120000,150000,3,720000,960000,3,1500000,1800000,5`,
    );
    expect(lines.slice(2).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'day,2026-11-26,1',
      'day,2026-11-27,5',
      'grid,grid-1,3',
      'grid,grid-2,3',
      'responder,r-1,2',
      'responder,r-2,1',
      'responder,,3',
    ]);
    const byAccept = await api('GET', RANGE, { token: admin, headers: { accept: 'text/csv' } });
    expect(byAccept.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(byAccept.text).toBe(byQuery.text);
  });

  it('is for the dispatch center: a family gets 403; a bad range 400', async () => {
    const denied = await api('GET', RANGE, { token: family });
    expect(denied.status).toBe(403);
    expect(errorCode(denied)).toBe('HUB_ERR_FORBIDDEN');
    expect((await api('GET', '/api/reports/sla/daily?date=2026-11-27', { token: family })).status).toBe(403);
    expect((await api('GET', RANGE)).status).toBe(401);
    const backwards = await api('GET', '/api/reports/sla?from=2026-11-28&to=2026-11-26', { token: admin });
    expect(backwards.status).toBe(400);
    expect(errorCode(backwards)).toBe('HUB_ERR_VALIDATION');
  });

  it('the daily job keeps the report of the local day just ended, served by date', async () => {
    const config = loadConfig({ env: {}, overrides: { dataDir: t.dataDir } });
    expect(config.slaReportCron).toBe('5 0 * * *');
    expect(cronTimezone(config.historyUtcOffsetMinutes)).toBe('Etc/GMT-8');
    const missing = await api('GET', '/api/reports/sla/daily?date=2026-11-27', { token: dispatcher });
    expect(missing.status).toBe(404);

    // 09:00 local on the 28th: "yesterday" is the 27th (E1–E4, N1; E5 belongs to the 26th).
    // the hub's own job (its config is the defaults checked above; its clock is `clock`)
    const produced = await t.hub.slaDaily.produce();
    expect(produced.from).toBe(Date.parse('2026-11-26T16:00:00Z'));
    expect(produced.total).toMatchObject({ incidents: 5, emergencies: 4, breaches: 3 });

    const kept = await api('GET', '/api/reports/sla/daily?date=2026-11-27', { token: dispatcher });
    expect(kept.status).toBe(200);
    expect(kept.body).toEqual(produced);
    const csv = await api('GET', '/api/reports/sla/daily?date=2026-11-27&format=csv', { token: dispatcher });
    expect(csv.text.split('\r\n')[1]).toMatch(/^total,,5,4,/);
    expect((await api('GET', '/api/reports/sla/daily?date=2026-11-26', { token: dispatcher })).status).toBe(
      404,
    );
  });
});
