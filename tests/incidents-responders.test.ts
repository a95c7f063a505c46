import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Suggestion } from '../alerts/incidents/responders.ts';
import { ManualClock } from '../kernel/clock.ts';
import type { Responder } from '../kernel/registry/types.ts';
import { MIN, MORNING } from './helpers/alerts.ts';
import { errorCode } from './helpers/api.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

const S = 1000;
/** hh-test's door; 0.01° of longitude east of it is ≈ 951 m, 0.05° of latitude north ≈ 5,560 m. */
const HOME = { lat: 31.23, lon: 121.47 };

/**
 * Stations near (≈951 m east) and far (≈5.56 km north); grid worker gw-1 (grid-1) based at the far one,
 * gw-2 of another grid, staff at both stations, a volunteer at the near station and one without any.
 */
async function seed(hub: IncidentsHub, userIds: Partial<Record<string, number>> = {}): Promise<void> {
  const reg = hub.t.hub.registry;
  await reg.households.upsert({
    id: 'hh-test',
    address: 'hh-test 幸福路 1号',
    grid: 'grid-1',
    location: HOME,
  });
  await reg.households.upsert({ id: 'hh-2', address: 'hh-2 幸福路 9号', grid: 'grid-2', location: HOME });
  await reg.people.upsertStation({ id: 'st-near', name: 'near', lat: 31.23, lon: 121.48 });
  await reg.people.upsertStation({ id: 'st-far', name: 'far', lat: 31.28, lon: 121.47 });
  const r = (id: string, kind: Responder['kind'], grids: string[], stationId: string | null) =>
    reg.people.upsertResponder({
      id,
      name: id,
      kind,
      phone: '13800000000',
      grids,
      stationId,
      userId: userIds[id] ?? null,
    });
  await r('gw-1', 'grid_worker', ['grid-1'], 'st-far');
  await r('gw-2', 'grid_worker', ['grid-2'], 'st-near');
  await r('staff-near', 'station_staff', [], 'st-near');
  await r('staff-far', 'station_staff', [], 'st-far');
  await r('vol-1', 'volunteer', [], null);
  await r('vol-2', 'volunteer', ['grid-1'], 'st-near');
}

describe('incidents: responder suggestions, the assignment follow-up and the ETA', () => {
  let h: IncidentsHub | null = null;
  const dirs: string[] = [];
  afterEach(async () => {
    await h?.t.stop();
    h = null;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function sos(hub: IncidentsHub, buttonId: string, householdId: string): Promise<string> {
    const before = hub.opened.length;
    await hub.sos(await hub.button(buttonId, householdId), { opened: before + 1 });
    const id = hub.opened[before]?.incident.id;
    if (!id) throw new Error('no incident');
    return id;
  }
  const post = (hub: IncidentsHub, id: string, path: string, token: string, body?: unknown) =>
    hub.api('POST', `/api/incidents/${id}/${path}`, { token, ...(body ? { body } : {}) });
  const suggestions = async (hub: IncidentsHub, id: string, token: string) => {
    const res = await hub.api('GET', `/api/incidents/${id}/suggestions`, { token });
    expect(res.status).toBe(200);
    return res.body as Suggestion[];
  };
  const reassignments = (hub: IncidentsHub) =>
    hub.escalated.filter((e) => e.step === 'assignment_not_accepted_2m');

  it('suggests the grid worker first, then the nearest station staff, then volunteers, with distance and ETA; busy ones left out', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    await seed(h);
    const id = await sos(h, 'btn-1', 'hh-test');
    const list = await suggestions(h, id, h.adminToken);
    expect(list.map((s) => [s.responderId, s.kind, s.distanceM, s.etaMinutes])).toEqual([
      // 5,560 m at 15 km/h (250 m/min): 22.2 → 23 min
      ['gw-1', 'grid_worker', 5560, 23],
      // 951 m at 250 m/min: 3.8 → 4 min
      ['staff-near', 'station_staff', 951, 4],
      // on foot, 5 km/h (83.3 m/min): 11.4 → 12 min
      ['vol-2', 'volunteer', 951, 12],
      // no coordinates: no distance, listed last
      ['vol-1', 'volunteer', null, null],
    ]);

    // staff-near is assigned on another household's incident: busy, left out here.
    const other = await sos(h, 'btn-2', 'hh-2');
    await post(h, other, 'acknowledge', h.adminToken);
    expect((await post(h, other, 'assign', h.adminToken, { responderId: 'staff-near' })).status).toBe(200);
    expect((await suggestions(h, id, h.adminToken)).map((s) => s.responderId)).toEqual([
      'gw-1',
      'vol-2',
      'vol-1',
    ]);
    // Once that incident is closed, staff-near is free again.
    await post(h, other, 'cancel', h.adminToken, { reason: 'test' });
    expect((await suggestions(h, id, h.adminToken)).map((s) => s.responderId)).toContain('staff-near');

    const family = await h.user('fam-1', 'family', ['hh-test']);
    const denied = await h.api('GET', `/api/incidents/${id}/suggestions`, { token: family.token });
    expect([403, 404]).toContain(denied.status);
  });

  it('offers the incident to the next suggestion when the assigned responder has not accepted within 2 min, exactly once', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    await seed(h);
    const id = await sos(h, 'btn-1', 'hh-test');
    await clock.advanceAsync(10 * S);
    await post(h, id, 'acknowledge', h.adminToken);
    await post(h, id, 'assign', h.adminToken, { responderId: 'gw-1' });
    await clock.advanceAsync(2 * MIN - 1);
    expect(reassignments(h)).toEqual([]);
    expect((await h.incident(id)).pendingResponderId).toBe('gw-1');
    await clock.advanceAsync(1);
    expect(await h.incident(id)).toMatchObject({
      pendingResponderId: 'staff-near',
      assignedAt: MORNING + 130 * S,
    });
    expect(reassignments(h).map((e) => [e.audience, e.late, e.at - MORNING])).toEqual([
      [['dispatchers', 'responder'], false, 130 * S],
    ]);
    const audit = (await h.api('GET', `/api/incidents/${id}`, { token: h.adminToken })).body as {
      timeline: Array<{ action?: string; username?: string | null; detail?: Record<string, unknown> }>;
    };
    expect(audit.timeline.filter((e) => e.action === 'assign').map((e) => [e.username, e.detail])).toEqual([
      ['admin', { responderId: 'gw-1' }],
      [
        'system',
        { responderId: 'staff-near', previousResponderId: 'gw-1', reason: 'not accepted within 2 min' },
      ],
    ]);

    // staff-near accepts in time: no further offer, ever.
    await clock.advanceAsync(MIN);
    expect((await post(h, id, 'accept', h.adminToken)).body).toMatchObject({ responderId: 'staff-near' });
    await clock.advanceAsync(30 * MIN);
    expect(reassignments(h)).toHaveLength(1);
  });

  it('the follow-up survives a restart: fired at once, marked late', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-responders-'));
    dirs.push(dir);
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock, dir);
    await seed(h);
    const id = await sos(h, 'btn-1', 'hh-test');
    await post(h, id, 'acknowledge', h.adminToken);
    await post(h, id, 'assign', h.adminToken, { responderId: 'gw-1' });
    await clock.advanceAsync(MIN);
    await h.t.stop();
    h = null;

    const clock2 = new ManualClock(MORNING + 5 * MIN);
    h = await startIncidentsHub(clock2, dir);
    await seed(h);
    await clock2.advanceAsync(0);
    expect(reassignments(h).map((e) => [e.late, e.incident.id])).toEqual([[true, id]]);
    expect((await h.incident(id)).pendingResponderId).toBe('staff-near');
    await clock2.advanceAsync(MIN); // the new offer's own 2 min run from 5:00
    expect(reassignments(h)).toHaveLength(1);
    await clock2.advanceAsync(MIN);
    expect((await h.incident(id)).pendingResponderId).toBe('vol-2');
    expect(reassignments(h)).toHaveLength(2);
  });

  it("recomputes the ETA from the responder's position and escalates once when it lands past the on-site deadline", async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const field = await h.user('resp-1', 'responder');
    const stranger = await h.user('resp-2', 'responder');
    await seed(h, { 'gw-1': field.id, 'vol-1': stranger.id });
    const id = await sos(h, 'btn-1', 'hh-test');
    await post(h, id, 'acknowledge', h.adminToken);
    await post(h, id, 'assign', h.adminToken, { responderId: 'gw-1' });
    await clock.advanceAsync(MIN);
    await post(h, id, 'accept', field.token);

    // Near: 951 m → 4 min, well before the 15-min deadline.
    const near = await post(h, id, 'position', field.token, { lat: 31.23, lon: 121.48 });
    expect(near.status).toBe(200);
    expect(near.body).toMatchObject({
      distanceM: 951,
      etaMinutes: 4,
      etaAt: MORNING + 5 * MIN,
      onSiteDueAt: MORNING + 15 * MIN,
      escalated: false,
    });
    const etaSteps = () => h?.escalated.filter((e) => e.step === 'eta_past_deadline') ?? [];
    expect(etaSteps()).toEqual([]);

    // Stuck 0.2° north (≈22.2 km): 89 min away, past the deadline → the supervisor is told at once.
    await clock.advanceAsync(MIN);
    const far = await post(h, id, 'position', field.token, { lat: 31.43, lon: 121.47 });
    expect(far.body).toMatchObject({ etaMinutes: 89, escalated: true });
    expect(etaSteps().map((e) => [e.audience, e.late, e.at - MORNING])).toEqual([
      [['supervisor'], false, 2 * MIN],
    ]);
    await clock.advanceAsync(MIN);
    expect((await post(h, id, 'position', field.token, { lat: 31.44, lon: 121.47 })).body).toMatchObject({
      escalated: false,
    });
    expect(etaSteps()).toHaveLength(1);

    // Stored: each position and its ETA is in the timeline.
    const detail = (await h.api('GET', `/api/incidents/${id}`, { token: h.adminToken })).body as {
      timeline: Array<{ action?: string; detail?: Record<string, unknown> }>;
    };
    expect(detail.timeline.filter((e) => e.action === 'position').map((e) => e.detail?.etaMinutes)).toEqual([
      4, 89, 94,
    ]); // 0.21° north ≈ 23,351 m: 93.4 → 94 min

    // Another responder's position for an incident not theirs: as if it did not exist.
    const other = await post(h, id, 'position', stranger.token, { lat: 31.23, lon: 121.47 });
    expect(other.status).toBe(404);
    expect(errorCode(other)).toBe('HUB_ERR_NOT_FOUND');
  });
});
