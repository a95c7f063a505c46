import { afterEach, describe, expect, it } from 'vitest';
import type { Incident } from '../alerts/incidents/model.ts';
import type { TimelineEntry } from '../alerts/incidents/service.ts';
import { ManualClock } from '../kernel/clock.ts';
import { MIN, MORNING } from './helpers/alerts.ts';
import { errorCode } from './helpers/api.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

type Detail = Incident & { alarmIds: string[]; timeline: TimelineEntry[] };

describe('incidents: lifecycle through the API', () => {
  let h: IncidentsHub | null = null;
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  /** An SOS on hh-test: the opened incident's id. */
  async function sosIncident(hub: IncidentsHub, buttonId = 'btn-1'): Promise<string> {
    const before = hub.opened.length;
    await hub.sos(await hub.button(buttonId), { opened: before + 1 });
    const id = hub.opened[before]?.incident.id;
    if (!id) throw new Error('no incident');
    return id;
  }

  it('goes open → acknowledged → dispatched → on site → resolved, with stages, audit and the alarm closed', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const { api } = h;
    const dispatcher = await h.user('disp-1', 'dispatcher');
    const field = await h.user('resp-1', 'responder');
    await h.responder('r-1', field.id);
    const id = await sosIncident(h);
    expect(h.opened[0]?.incident).toMatchObject({
      householdId: 'hh-test',
      alarmType: 'sos',
      class: 'emergency',
      state: 'open',
      alarmCount: 1,
      deadlines: { acknowledge: MORNING + 60_000, accept: MORNING + 3 * MIN, on_site: MORNING + 15 * MIN },
    });

    const post = (path: string, token: string, body?: unknown) =>
      api('POST', `/api/incidents/${id}/${path}`, {
        token,
        ...(body ? { body } : {}),
        headers: { 'user-agent': 'dispatch-console/1.0' },
      });
    await clock.advanceAsync(20_000);
    const ack = await post('acknowledge', dispatcher.token);
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ state: 'acknowledged' });
    await clock.advanceAsync(10_000);
    expect((await post('assign', dispatcher.token, { responderId: 'r-1' })).body).toMatchObject({
      state: 'acknowledged',
      pendingResponderId: 'r-1',
    });
    await clock.advanceAsync(30_000);
    expect((await post('accept', field.token)).body).toMatchObject({
      state: 'dispatched',
      responderId: 'r-1',
      pendingResponderId: null,
    });
    await clock.advanceAsync(8 * MIN);
    expect((await post('arrive', field.token)).body).toMatchObject({ state: 'on_site' });
    await clock.advanceAsync(5 * MIN);
    expect((await post('comment', dispatcher.token, { text: 'daughter informed' })).status).toBe(200);
    const resolved = await post('resolve', field.token, { outcome: 'assisted_at_home', note: 'helped up' });
    expect(resolved.body).toMatchObject({
      state: 'resolved',
      outcome: 'assisted_at_home',
      note: 'helped up',
      closedAt: MORNING + 14 * MIN,
    });

    const detail = (await api('GET', `/api/incidents/${id}`, { token: dispatcher.token })).body as Detail;
    expect(detail.stages).toEqual({
      acknowledge: { dueAt: MORNING + 60_000, doneAt: MORNING + 20_000, tookMs: 20_000, met: true },
      accept: { dueAt: MORNING + 3 * MIN, doneAt: MORNING + MIN, tookMs: MIN, met: true },
      on_site: { dueAt: MORNING + 15 * MIN, doneAt: MORNING + 9 * MIN, tookMs: 9 * MIN, met: true },
    });
    const audit = detail.timeline.filter((e) => e.kind === 'audit');
    expect(audit.map((e) => [e.action, e.fromState, e.toState, e.username])).toEqual([
      ['opened', null, 'open', 'system'],
      ['acknowledge', 'open', 'acknowledged', 'disp-1'],
      ['assign', 'acknowledged', 'acknowledged', 'disp-1'],
      ['accept', 'acknowledged', 'dispatched', 'resp-1'],
      ['arrive', 'dispatched', 'on_site', 'resp-1'],
      ['comment', 'on_site', 'on_site', 'disp-1'],
      ['resolve', 'on_site', 'resolved', 'resp-1'],
    ]);
    expect(audit[1]).toMatchObject({
      at: MORNING + 20_000,
      ip: '127.0.0.1',
      userAgent: 'dispatch-console/1.0',
    });
    expect(audit[1]?.userId).toBe(dispatcher.id);
    expect(detail.timeline[0]).toMatchObject({
      kind: 'evidence',
      at: MORNING,
      evidence: { deviceId: 'btn-1' },
    });
    // The audit trail is append-only, down to the store: the IncidentStore has no way to change or drop
    // an entry, and its SQLite adapter's table refuses it (tests/alerts-store-sqlite.test.ts).
    // Resolving closed the alarm behind it.
    expect((await h.alarms('sos'))[0]).toMatchObject({ status: 'closed', closedBy: 'resp-1' });
    expect(h.updated.map((u) => u.change)).toEqual([
      'acknowledge',
      'assign',
      'accept',
      'arrive',
      'comment',
      'resolve',
    ]);
  });

  it('joins a second SOS of the household into the open incident; after it is cancelled, an SOS opens a new one', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const id = await sosIncident(h);
    await clock.advanceAsync(MIN);
    await h.sos(await h.button('btn-2'), { updated: 1 });
    expect(h.opened).toHaveLength(1);
    expect(await h.incident(id)).toMatchObject({ state: 'open', alarmCount: 2 });
    expect((await h.incident(id)).evidence.map((e) => e.deviceId)).toEqual(['btn-1', 'btn-2']);

    const list = await h.api('GET', '/api/incidents?state=open', { token: h.adminToken });
    expect((list.body as Incident[]).map((i) => [i.id, i.alarmCount])).toEqual([[id, 2]]);

    const cancel = await h.api('POST', `/api/incidents/${id}/cancel`, {
      token: h.adminToken,
      body: { reason: 'resident called back: pressed by mistake' },
    });
    expect(cancel.body).toMatchObject({
      state: 'cancelled',
      cancelReason: 'resident called back: pressed by mistake',
    });
    await clock.advanceAsync(MIN);
    const second = await sosIncident(h, 'btn-3');
    expect(second).not.toBe(id);
    expect(await h.incident(second)).toMatchObject({ state: 'open', alarmCount: 1 });
  });

  it('answers 409 HUB_ERR_INCIDENT_STATE for an illegal transition, and exactly one of two concurrent acknowledgements wins', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const a = await h.user('disp-a', 'dispatcher');
    const b = await h.user('disp-b', 'dispatcher');
    const id = await sosIncident(h);
    const arrive = await h.api('POST', `/api/incidents/${id}/arrive`, { token: a.token });
    expect(arrive.status).toBe(409);
    expect(errorCode(arrive)).toBe('HUB_ERR_INCIDENT_STATE');

    const answers = await Promise.all([
      h.api('POST', `/api/incidents/${id}/acknowledge`, { token: a.token }),
      h.api('POST', `/api/incidents/${id}/acknowledge`, { token: b.token }),
    ]);
    expect(answers.map((x) => x.status).sort()).toEqual([200, 409]);
    expect(answers.map(errorCode).filter(Boolean)).toEqual(['HUB_ERR_INCIDENT_STATE']);
    const detail = (await h.api('GET', `/api/incidents/${id}`, { token: a.token })).body as Detail;
    expect(detail.timeline.filter((e) => e.kind === 'audit' && e.action === 'acknowledge')).toHaveLength(1);

    // Accept with nobody assigned, resolve before on site, cancel once on site: all 409.
    expect(errorCode(await h.api('POST', `/api/incidents/${id}/accept`, { token: a.token }))).toBe(
      'HUB_ERR_INCIDENT_STATE',
    );
    const early = await h.api('POST', `/api/incidents/${id}/resolve`, {
      token: a.token,
      body: { outcome: 'false_alarm', note: '' },
    });
    expect(early.status).toBe(409);
  });

  it('lets a responder act only on the incidents assigned to them', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const mine = await h.user('resp-1', 'responder');
    const other = await h.user('resp-2', 'responder');
    await h.responder('r-1', mine.id);
    await h.responder('r-2', other.id);
    const id = await sosIncident(h);
    await h.api('POST', `/api/incidents/${id}/acknowledge`, { token: h.adminToken });
    await h.api('POST', `/api/incidents/${id}/assign`, { token: h.adminToken, body: { responderId: 'r-1' } });

    const stolen = await h.api('POST', `/api/incidents/${id}/accept`, { token: other.token });
    expect(stolen.status).toBe(404);
    expect((await h.api('GET', `/api/incidents/${id}`, { token: other.token })).status).toBe(404);
    expect((await h.api('GET', '/api/incidents', { token: other.token })).body).toEqual([]);
    // A responder cannot take dispatcher actions at all.
    expect((await h.api('POST', `/api/incidents/${id}/acknowledge`, { token: mine.token })).status).toBe(403);
    expect(await h.incident(id)).toMatchObject({ state: 'acknowledged', pendingResponderId: 'r-1' });

    expect((await h.api('POST', `/api/incidents/${id}/accept`, { token: mine.token })).status).toBe(200);
    expect((await h.api('POST', `/api/incidents/${id}/arrive`, { token: other.token })).status).toBe(404);
    expect((await h.api('POST', `/api/incidents/${id}/arrive`, { token: mine.token })).status).toBe(200);
    expect(
      ((await h.api('GET', '/api/incidents', { token: mine.token })).body as Incident[]).map((i) => i.id),
    ).toEqual([id]);
  });

  it("shows a family only its own households' incidents (404 for the others), read-only", async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const own = await sosIncident(h);
    const before = h.opened.length;
    await h.sos(await h.button('btn-other', 'hh-other'), { opened: before + 1 });
    const foreign = h.opened[before]?.incident.id ?? '';
    const family = await h.user('family-1', 'family', ['hh-test']);

    const list = (await h.api('GET', '/api/incidents', { token: family.token })).body as Incident[];
    expect(list.map((i) => i.id)).toEqual([own]);
    const filtered = await h.api('GET', '/api/incidents?household=hh-other', { token: family.token });
    expect(filtered.body).toEqual([]);
    expect((await h.api('GET', `/api/incidents/${foreign}`, { token: family.token })).status).toBe(404);
    const detail = await h.api('GET', `/api/incidents/${own}`, { token: family.token });
    expect(detail.status).toBe(200);
    expect((await h.api('POST', `/api/incidents/${own}/acknowledge`, { token: family.token })).status).toBe(
      403,
    );
    expect(
      (await h.api('POST', `/api/incidents/${foreign}/acknowledge`, { token: family.token })).status,
    ).toBe(404);
    // The dispatch center sees both.
    const all = (await h.api('GET', '/api/incidents', { token: h.adminToken })).body as Incident[];
    expect(all.map((i) => i.householdId).sort()).toEqual(['hh-other', 'hh-test']);
  });
});
