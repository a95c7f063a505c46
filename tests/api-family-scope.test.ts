import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import type { SimDevice } from '../simulators/device.ts';
import { until } from '../simulators/device.ts';
import type { SimButton } from '../simulators/device-types.ts';
import { MORNING } from './helpers/alerts.ts';
import type { ApiAnswer } from './helpers/api.ts';
import { errorCode } from './helpers/api.ts';
import { connectDevice } from './helpers/devices.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';
import { connectLive, type LiveClient } from './helpers/live.ts';

/** What household B holds that must never reach family A or responder A. */
const B_SECRETS = ['hh-b', '和平路 8号', '李爷爷', '13900139000', 'btn-b', 'pir-b'];

type Doc = { paths: Record<string, Record<string, { parameters?: Array<{ in: string; name: string }> }>> };

/**
 * Issue 8 authorization: family A asks for household B by every route (page data, REST, history,
 * rhythm, incidents and their actions, the live channel) with real, guessed and tampered ids and gets
 * nothing of B — the same 404 as for an id that does not exist. A responder sees only their own jobs.
 */
describe('family and responder scope', () => {
  const clock = new ManualClock(MORNING);
  let h: IncidentsHub;
  let famA: string;
  let dispatcher: string;
  let respA: { token: string; id: number };
  let respB: { token: string; id: number };
  let btnA: SimButton;
  let btnB: SimButton;
  let pirB: SimDevice;
  let idB = '';
  let contactB = 0;
  let liveFamA: LiveClient;
  let liveRespA: LiveClient;

  const api = (method: string, path: string, token: string, body?: unknown): Promise<ApiAnswer> =>
    h.api(method, path, { token, ...(body !== undefined ? { body } : {}) });
  /** No trace of household B in an answer. */
  const clean = (what: string, a: { text: string }) => {
    for (const s of [...B_SECRETS, idB]) expect([what, a.text.includes(s)]).toEqual([what, false]);
  };

  beforeAll(async () => {
    h = await startIncidentsHub(clock);
    btnA = await h.button('btn-a', 'hh-a');
    btnB = await h.button('btn-b', 'hh-b');
    pirB = await connectDevice(h.t, 'pir-b', 'motion', { householdId: 'hh-b', room: 'living' });
    const { households } = h.t.hub.registry;
    await households.upsert({ id: 'hh-a', address: '幸福路 1号', grid: 'grid-1', sharing: 'rhythm' });
    await households.upsert({
      id: 'hh-b',
      address: '和平路 8号',
      grid: 'grid-1',
      sharing: 'rhythm',
      location: { lat: 31.23, lon: 121.47 },
    });
    await households.upsertResident({ id: 'res-a', householdId: 'hh-a', name: '王奶奶' });
    await households.upsertResident({ id: 'res-b', householdId: 'hh-b', name: '李爷爷' });
    contactB = (await households.addContact({ householdId: 'hh-b', name: '李小红', phone: '13900139000' }))
      .id;
    famA = (await h.user('f.a', 'family', ['hh-a'])).token;
    dispatcher = (await h.user('d.1', 'dispatcher')).token;
    respA = await h.user('r.a', 'responder');
    respB = await h.user('r.b', 'responder');
    await h.responder('r-a', respA.id);
    await h.responder('r-b', respB.id);
    liveFamA = await connectLive(h.t.httpUrl, { token: famA });
    liveRespA = await connectLive(h.t.httpUrl, { token: respA.token });

    // Household B's life: an SOS taken, dispatched and followed; movement; marked away.
    await h.sos(btnB, { opened: 1 });
    idB = h.opened[0]?.incident.id ?? '';
    expect((await api('POST', `/api/incidents/${idB}/acknowledge`, dispatcher)).status).toBe(200);
    expect(
      (await api('POST', `/api/incidents/${idB}/assign`, dispatcher, { responderId: 'r-b' })).status,
    ).toBe(200);
    expect((await api('POST', `/api/incidents/${idB}/accept`, respB.token)).status).toBe(200);
    expect(
      (await api('POST', `/api/incidents/${idB}/position`, respB.token, { lat: 31.24, lon: 121.47 })).status,
    ).toBe(200);
    await pirB.event('motion');
    expect(
      (
        await api('POST', '/api/households/hh-b/away', dispatcher, {
          until: clock.now() + 86_400_000,
          reason: 'hospital',
        })
      ).status,
    ).toBe(200);
    // Then household A's SOS, assigned to responder A: the frames that must arrive (the channel works).
    await h.sos(btnA, { opened: 2 });
    const idA = h.opened[1]?.incident.id ?? '';
    expect((await api('POST', `/api/incidents/${idA}/acknowledge`, dispatcher)).status).toBe(200);
    expect(
      (await api('POST', `/api/incidents/${idA}/assign`, dispatcher, { responderId: 'r-a' })).status,
    ).toBe(200);
  });
  afterAll(async () => {
    liveFamA?.close();
    liveRespA?.close();
    for (const d of [btnA, btnB, pirB]) await d?.end();
    await h?.t.stop();
  });

  it('the dispatch center sees household B (the questions below are not empty by accident)', async () => {
    for (const path of [
      '/api/households/hh-b/status',
      '/api/households/hh-b/rhythm',
      `/api/incidents/${idB}`,
      `/api/incidents/${idB}/context`,
      '/api/households/hh-b/history/activity',
    ]) {
      expect([path, (await api('GET', path, dispatcher)).status]).toEqual([path, 200]);
    }
  });

  it('answers family A on every route of household B exactly as for an id that does not exist', async () => {
    const doc = (await (await fetch(`${h.t.httpUrl}/api/docs/json`)).json()) as Doc;
    /** Household B's resource for each kind of path, and an id of the same kind that exists nowhere. */
    const ids: Record<string, [string, string]> = {
      households: ['hh-b', 'hh-zz'],
      incidents: [idB, 'inc-00000000-0000-4000-8000-000000000000'],
      residents: ['res-b', 'res-zz'],
      contacts: [String(contactB), '99999'],
      devices: ['btn-b', 'btn-zz'],
    };
    const bodies: Record<string, unknown> = {
      'POST /households/{id}/away': { until: clock.now() + 86_400_000, reason: 'visiting' },
      'POST /incidents/{id}/assign': { responderId: 'r-a' },
      'POST /incidents/{id}/resolve': { outcome: 'other', note: '' },
      'POST /incidents/{id}/cancel': { reason: 'x' },
      'POST /incidents/{id}/comment': { text: 'x' },
      'POST /incidents/{id}/position': { lat: 31.2, lon: 121.4 },
    };
    let asked = 0;
    let notFound = 0;
    for (const [template, methods] of Object.entries(doc.paths)) {
      const kind = template.split('/')[2] ?? '';
      const pair = ids[kind];
      if (!pair || !template.includes('{id}')) continue;
      const route = template.replace(/^\/api/, '');
      for (const method of Object.keys(methods).map((m) => m.toUpperCase())) {
        const key = `${method} ${route}`;
        const body =
          bodies[key] ?? (method === 'POST' || method === 'PUT' || method === 'PATCH' ? {} : undefined);
        const ofB = await api(method, template.replace('{id}', encodeURIComponent(pair[0])), famA, body);
        const ofNone = await api(method, template.replace('{id}', encodeURIComponent(pair[1])), famA, body);
        clean(key, ofB);
        // Same answer as for a missing id (a 400 for a body is the schema's, before any lookup).
        expect([key, ofB.status, errorCode(ofB)]).toEqual([key, ofNone.status, errorCode(ofNone)]);
        // 404 as if missing; 403 where the route is not the family's at all (the same for every id);
        // 400 where the body is the schema's business (checked before any lookup).
        const allowed =
          method === 'GET' || method === 'DELETE' || key in bodies ? [403, 404] : [400, 403, 404];
        expect([key, allowed.includes(ofB.status)]).toEqual([key, true]);
        if (ofB.status === 404) notFound++;
        asked++;
      }
    }
    expect(asked).toBeGreaterThan(30);
    expect(notFound).toBeGreaterThan(25);
    // Routes the issue names, checked by name too (not only through the document).
    for (const path of [
      '/api/households/hh-b/status',
      '/api/households/hh-b/rhythm',
      '/api/households/hh-b/rhythm?date=2026-11-27',
      ...['activity', 'water', 'vitals', 'battery', 'last-seen'].map(
        (k) => `/api/households/hh-b/history/${k}?from=${MORNING - 86_400_000}&to=${MORNING}`,
      ),
      '/api/households/hh-b/contacts',
      '/api/households/hh-b/residents',
      '/api/households/hh-b/away',
      `/api/incidents/${idB}/context`,
      // Tampered spellings of the same ids: percent-encoded letters decode to hh-b / idB.
      '/api/households/%68h-b/status',
      '/api/households/hh%2Db/history/activity',
      `/api/incidents/${encodeURIComponent(idB).replace('i', '%69')}`,
    ]) {
      const a = await api('GET', path, famA);
      clean(path, a);
      expect([path, a.status]).toEqual([path, 404]);
    }
  });

  it('keeps tampered query parameters and lists to family A’s own household', async () => {
    const list = await api('GET', '/api/incidents?household=hh-b', famA);
    expect([list.status, list.body]).toEqual([200, []]);
    const all = await api('GET', '/api/incidents?limit=1000', famA);
    expect((all.body as Array<{ householdId: string }>).map((i) => i.householdId)).toEqual(['hh-a']);
    clean('incident list', all);
    const twice = await api('GET', '/api/incidents?household=hh-a&household=hh-b', famA);
    clean('household twice', twice);
    expect(twice.status === 400 || (twice.body as unknown[]).length <= 1).toBe(true);
    const households = await api('GET', '/api/households', famA);
    expect((households.body as Array<{ id: string }>).map((x) => x.id)).toEqual(['hh-a']);
    const devices = await api('GET', '/api/devices', famA);
    clean('devices', devices);
    const devicesOfB = await api('GET', '/api/devices?householdId=hh-b', famA);
    expect(devicesOfB.status).toBe(404);
    clean('devices of B', devicesOfB);
    // A household parameter added to one's own household's questions changes nothing or is refused.
    const status = await api('GET', '/api/households/hh-a/status?household=hh-b&id=hh-b', famA);
    if (status.status === 200)
      expect((status.body as { household: { id: string } }).household.id).toBe('hh-a');
    clean('status with a household param', status);
    for (const path of [
      '/api/households/hh-a/history/activity?household=hh-b',
      '/api/households/hh-a/rhythm?household=hh-b',
    ]) {
      const a = await api('GET', path, famA);
      expect([path, a.status]).toEqual([path, 400]);
      clean(path, a);
    }
  });

  it('sends family A no live frame about household B, and refuses its attempts to ask for one', async () => {
    // A's incident (opened after all of B's events) arrived: everything about B would have come before.
    await liveFamA.waitFor(
      (f) => f.event === 'incidentUpdated' && JSON.stringify(f.data).includes('"hh-a"'),
      "A's incident update",
    );
    liveFamA.ws.send(JSON.stringify({ type: 'subscribe', householdId: 'hh-b' }));
    await liveFamA.waitFor((f) => f.type === 'error', 'the refusal of a client frame');
    expect(liveFamA.events().length).toBeGreaterThan(0);
    for (const f of liveFamA.frames)
      clean(`family frame ${f.type} ${f.event ?? ''}`, { text: JSON.stringify(f) });
  });

  it('shows a responder only their own jobs: list, detail, context, actions and live frames', async () => {
    const idA = h.opened[1]?.incident.id ?? '';
    const list = await api('GET', '/api/incidents?active=true', respA.token);
    expect((list.body as Array<{ id: string }>).map((i) => i.id)).toEqual([idA]);
    expect((await api('GET', '/api/incidents?household=hh-b', respA.token)).body).toEqual([]);
    expect((await api('GET', `/api/incidents/${idA}/context`, respA.token)).status).toBe(200);
    for (const [method, path, body] of [
      ['GET', `/api/incidents/${idB}`, undefined],
      ['GET', `/api/incidents/${idB}/context`, undefined],
      ['POST', `/api/incidents/${idB}/accept`, undefined],
      ['POST', `/api/incidents/${idB}/decline`, undefined],
      ['POST', `/api/incidents/${idB}/arrive`, undefined],
      ['POST', `/api/incidents/${idB}/resolve`, { outcome: 'other', note: 'x' }],
      ['POST', `/api/incidents/${idB}/position`, { lat: 31.2, lon: 121.4 }],
    ] as const) {
      const a = await api(method, path, respA.token, body);
      expect([path, a.status]).toEqual([path, 404]);
      clean(path, a);
    }
    expect(await h.incident(idB)).toMatchObject({ state: 'dispatched', responderId: 'r-b' });
    await until(() => liveRespA.events().some((f) => JSON.stringify(f.data).includes(idA)), 3000, "A's job");
    for (const f of liveRespA.frames)
      clean(`responder frame ${f.event ?? f.type}`, { text: JSON.stringify(f) });
  });
});
