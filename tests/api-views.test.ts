import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { SimMotion } from '../simulators/device-types.ts';
import { connectSim, MORNING } from './helpers/alerts.ts';
import { errorCode } from './helpers/api.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

interface Status {
  state: string;
  reasons: string[];
  lastMovementAt: number | null;
  devices: Array<{ id: string; connection: string; battery: number | null; issues: string[] }>;
  activeIncident: { id: string; state: string } | null;
  residents: Array<{ name: string; age: number | null }>;
  contacts: Array<{ phone: string }>;
}

describe('console views: household status and incident context', () => {
  let h: IncidentsHub | null = null;
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  it('shows a household as well, then needing attention for a low battery, then an alarm in progress', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const { api, adminToken } = h;
    await h.t.hub.registry.households.upsertResident({
      id: 'res-1',
      householdId: 'hh-test',
      name: '王奶奶',
      birthYear: 1941,
    });
    await h.t.hub.registry.households.addContact({
      householdId: 'hh-test',
      name: '王小明',
      relation: '儿子',
      phone: '13900000001',
      priority: 1,
    });
    const family = await h.user('fam-1', 'family', ['hh-test']);
    const status = async (token = family.token) =>
      (await api('GET', '/api/households/hh-test/status', { token })).body as Status;

    const motion = await connectSim(h.t, (o) => new SimMotion(o), 'pir-1', 'living');
    await motion.motion();
    await expect
      .poll(() => h?.t.hub.ingest.queries.messageCount({ deviceId: 'pir-1', channel: 'event' }), {
        timeout: 2000,
        message: 'motion stored',
      })
      .toBe(1);
    let s = await status();
    expect(s).toMatchObject({ state: 'well', reasons: [], lastMovementAt: MORNING });
    expect(s.residents).toEqual([expect.objectContaining({ name: '王奶奶', age: 85 })]);
    expect(s.contacts).toEqual([expect.objectContaining({ phone: '13900000001' })]);
    expect(s.devices).toEqual([expect.objectContaining({ id: 'pir-1', connection: 'online', issues: [] })]);

    await motion.telemetry({ battery: 9 });
    await h.waitFor('battery_low');
    s = await status();
    expect(s.state).toBe('attention');
    expect(s.reasons).toContain('device_battery_low');
    expect(s.devices[0]).toMatchObject({ battery: 9, issues: ['battery_low'] });

    await h.sos(await h.button('btn-1'), { opened: 1 });
    s = await status();
    expect(s.state).toBe('alarm');
    expect(s.activeIncident).toMatchObject({ state: 'open' });
    // the dispatch center reads it too; another family gets the same 404 as for a household that does not exist
    expect((await api('GET', '/api/households/hh-test/status', { token: adminToken })).status).toBe(200);
    await h.t.hub.registry.households.upsert({ id: 'hh-other', address: 'other 幸福路 2号', grid: 'grid-1' });
    const other = await h.user('fam-2', 'family', ['hh-other']);
    const hidden = await api('GET', '/api/households/hh-test/status', { token: other.token });
    const missing = await api('GET', '/api/households/hh-nope/status', { token: other.token });
    expect([hidden.status, errorCode(hidden)]).toEqual([missing.status, errorCode(missing)]);
    expect(hidden.status).toBe(404);
  });

  it("gives the dispatcher and the assigned responder the incident's context, and nobody else", async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const { api } = h;
    await h.t.hub.registry.households.upsertResident({
      id: 'res-1',
      householdId: 'hh-test',
      name: '王奶奶',
      birthYear: 1940,
      careNotes: ['糖尿病', '独居'],
    });
    await h.sos(await h.button('btn-1'), { opened: 1 });
    const id = h.opened[0]?.incident.id ?? '';
    const dispatcher = await h.user('disp-1', 'dispatcher');
    const mine = await h.user('resp-1', 'responder');
    const theirs = await h.user('resp-2', 'responder');
    await h.responder('r-1', mine.id);
    await h.responder('r-2', theirs.id);
    const family = await h.user('fam-1', 'family', ['hh-test']);
    const context = (token: string) => api('GET', `/api/incidents/${id}/context`, { token });

    const c = await context(dispatcher.token);
    expect(c.status).toBe(200);
    expect(c.body).toMatchObject({
      incidentId: id,
      household: { id: 'hh-test', grid: 'grid-1' },
      residents: [{ name: '王奶奶', age: 86, careNotes: ['糖尿病', '独居'] }],
      devices: [{ id: 'btn-1', type: 'button', connection: 'online' }],
      openAlarms: [{ type: 'sos', class: 'emergency' }],
    });
    expect((await context(mine.token)).status).toBe(404);
    await api('POST', `/api/incidents/${id}/acknowledge`, { token: dispatcher.token });
    await api('POST', `/api/incidents/${id}/assign`, {
      token: dispatcher.token,
      body: { responderId: 'r-1' },
    });
    expect((await context(mine.token)).status).toBe(200);
    expect((await context(theirs.token)).status).toBe(404);
    expect((await context(family.token)).status).toBe(403);
  });

  it('tells a family the progress of an incident without evidence, comments, operators or the responder position', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const { api } = h;
    await h.t.hub.registry.households.upsert({
      id: 'hh-test',
      address: 'hh-test 幸福路 1号',
      grid: 'grid-1',
      location: { lat: 31.23, lon: 121.47 },
    });
    await h.sos(await h.button('btn-1'), { opened: 1 });
    const id = h.opened[0]?.incident.id ?? '';
    const dispatcher = await h.user('disp-1', 'dispatcher');
    const field = await h.user('resp-1', 'responder');
    await h.responder('r-1', field.id);
    const family = await h.user('fam-1', 'family', ['hh-test']);
    const post = (path: string, token: string, body?: unknown) =>
      api('POST', `/api/incidents/${id}/${path}`, { token, ...(body ? { body } : {}) });
    await post('acknowledge', dispatcher.token);
    await post('comment', dispatcher.token, { text: '家属情绪激动，内部备注' });
    await post('assign', dispatcher.token, { responderId: 'r-1' });
    await post('accept', field.token);
    expect((await post('position', field.token, { lat: 31.24, lon: 121.47 })).status).toBe(200);

    const seen = (await api('GET', `/api/incidents/${id}`, { token: family.token })).body as {
      evidence: unknown[];
      state: string;
      timeline: Array<{
        kind: string;
        action?: string;
        username?: string | null;
        detail?: Record<string, unknown>;
      }>;
    };
    expect(seen.state).toBe('dispatched');
    expect(seen.evidence).toEqual([]);
    expect(seen.timeline.map((e) => e.kind)).not.toContain('evidence');
    expect(seen.timeline.map((e) => e.action)).not.toContain('comment');
    expect(JSON.stringify(seen)).not.toContain('内部备注');
    expect(seen.timeline.every((e) => e.username === null)).toBe(true);
    const position = seen.timeline.find((e) => e.action === 'position');
    expect(Object.keys(position?.detail ?? {}).sort()).toEqual(['etaAt', 'etaMinutes']);
    const list = (await api('GET', '/api/incidents', { token: family.token })).body as Array<{
      evidence: unknown[];
    }>;
    expect(list.map((i) => i.evidence)).toEqual([[]]);
    // the dispatch center still sees all of it
    const full = (await api('GET', `/api/incidents/${id}`, { token: dispatcher.token })).body as {
      evidence: unknown[];
    };
    expect(full.evidence.length).toBeGreaterThan(0);
  });
});
