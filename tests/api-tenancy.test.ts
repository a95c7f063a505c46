import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, apiClient, errorCode, userWithToken } from './helpers/api.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

/** Two households with one of everything each, made through the API as the admin. */
async function provisionTwoHouseholds(
  api: Api,
  token: string,
): Promise<{ contactA: number; contactB: number }> {
  const contacts: number[] = [];
  for (const x of ['a', 'b']) {
    const calls: Array<[string, string, unknown]> = [
      ['POST', '/api/households', { id: `hh-${x}`, address: `幸福路 ${x}`, grid: 'grid-1' }],
      ['POST', `/api/households/hh-${x}/residents`, { id: `r-${x}`, name: `resident ${x}`, birthYear: 1940 }],
      ['POST', `/api/households/hh-${x}/contacts`, { name: `contact ${x}`, phone: '+86 138 0000 0001' }],
      ['POST', '/api/gateways', { id: `gw-${x}`, householdId: `hh-${x}` }],
      [
        'POST',
        '/api/devices',
        { id: `dev-${x}`, householdId: `hh-${x}`, type: 'button', residentId: `r-${x}` },
      ],
    ];
    for (const [method, path, body] of calls) {
      const res = await api(method, path, { token, body });
      if (res.status !== 201) throw new Error(`${method} ${path}: ${res.status} ${res.text}`);
      if (path.endsWith('/contacts')) contacts.push((res.body as { id: number }).id);
    }
  }
  return { contactA: contacts[0] ?? 0, contactB: contacts[1] ?? 0 };
}

describe('who sees and changes what', () => {
  let t: TestHub;
  let api: Api;
  let admin: string;
  let family: string;
  let dispatcher: string;
  let supervisor: string;
  let responder: string;
  let contactA: number;
  let contactB: number;

  beforeAll(async () => {
    t = await startTestHub();
    api = apiClient(t.httpUrl);
    admin = await t.login();
    ({ contactA, contactB } = await provisionTwoHouseholds(api, admin));
    family = await userWithToken(t, api, admin, {
      username: 'li.ming',
      role: 'family',
      households: ['hh-a'],
    });
    dispatcher = await userWithToken(t, api, admin, { username: 'disp', role: 'dispatcher' });
    supervisor = await userWithToken(t, api, admin, { username: 'sup', role: 'supervisor' });
    responder = await userWithToken(t, api, admin, { username: 'resp', role: 'responder' });
  });
  afterAll(() => t.stop());

  it('answers 401 on every protected route of the OpenAPI document without a session', async () => {
    const doc = (await api('GET', '/api/docs/json')).body as {
      paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
    };
    let checked = 0;
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        const optional = (op.security ?? []).some((s) => Object.keys(s).length === 0);
        if (!op.security || op.security.length === 0 || optional) continue;
        const res = await api(method.toUpperCase(), path.replace(/\{id\}/g, '1'));
        expect(`${method} ${path} ${res.status} ${errorCode(res)}`).toBe(
          `${method} ${path} 401 HUB_ERR_UNAUTHENTICATED`,
        );
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(40);
  });

  it('shows a family user only the household linked to them', async () => {
    const households = await api('GET', '/api/households', { token: family });
    expect((households.body as Array<{ id: string }>).map((h) => h.id)).toEqual(['hh-a']);
    const devices = await api('GET', '/api/devices', { token: family });
    expect((devices.body as Array<{ id: string }>).map((d) => d.id)).toEqual(['dev-a']);
    const gateways = await api('GET', '/api/gateways', { token: family });
    expect((gateways.body as Array<{ id: string }>).map((g) => g.id)).toEqual(['gw-a']);
    const own = await api('GET', '/api/households/hh-a', { token: family });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ id: 'hh-a', residents: [{ id: 'r-a' }], devices: [{ id: 'dev-a' }] });
    expect((await api('GET', '/api/residents/r-a', { token: family })).status).toBe(200);
    expect((await api('GET', `/api/contacts/${contactA}`, { token: family })).status).toBe(200);
  });

  it("answers a family user 404 for another household's ids on every route, exactly as for missing ids", async () => {
    const routes = (
      hh: string,
      r: string,
      c: number | string,
      dev: string,
      gw: string,
    ): Array<[string, string, unknown?]> => [
      ['GET', `/api/households/${hh}`],
      ['PUT', `/api/households/${hh}`, { address: 'x', grid: 'g' }],
      ['DELETE', `/api/households/${hh}`],
      ['GET', `/api/households/${hh}/residents`],
      ['POST', `/api/households/${hh}/residents`, { id: 'r-new', name: 'n' }],
      ['GET', `/api/households/${hh}/contacts`],
      ['POST', `/api/households/${hh}/contacts`, { name: 'n', phone: '+86 1' }],
      ['GET', `/api/devices?householdId=${hh}`],
      ['GET', `/api/gateways?householdId=${hh}`],
      ['GET', `/api/residents/${r}`],
      ['PUT', `/api/residents/${r}`, { name: 'n' }],
      ['DELETE', `/api/residents/${r}`],
      ['GET', `/api/contacts/${c}`],
      ['PUT', `/api/contacts/${c}`, { name: 'n', phone: '+86 1' }],
      ['DELETE', `/api/contacts/${c}`],
      ['GET', `/api/devices/${dev}`],
      ['PUT', `/api/devices/${dev}`, { room: 'kitchen' }],
      ['POST', `/api/devices/${dev}/secret`],
      ['DELETE', `/api/devices/${dev}`],
      ['GET', `/api/gateways/${gw}`],
      ['PUT', `/api/gateways/${gw}`, { enabled: false }],
      ['POST', `/api/gateways/${gw}/secret`],
      ['DELETE', `/api/gateways/${gw}`],
    ];
    const others = routes('hh-b', 'r-b', contactB, 'dev-b', 'gw-b');
    const missing = routes('hh-zz', 'r-zz', 999_999, 'dev-zz', 'gw-zz');
    for (const [i, [method, path, body]] of others.entries()) {
      const other = await api(method, path, { token: family, body });
      const [, missingPath, missingBody] = missing[i] ?? [];
      const absent = await api(method, missingPath ?? '', { token: family, body: missingBody });
      expect(`${method} ${path} ${other.status}`).toBe(`${method} ${path} 404`);
      expect(other.body).toEqual(absent.body);
    }
    // Nothing of the other household was touched.
    const b = await api('GET', '/api/households/hh-b', { token: admin });
    expect(b.body).toMatchObject({
      address: '幸福路 b',
      residents: [{ id: 'r-b' }],
      devices: [{ id: 'dev-b' }],
    });
  });

  it('keeps a family user read-only in their own household', async () => {
    const put = await api('PUT', '/api/households/hh-a', {
      token: family,
      body: { address: 'x', grid: 'g' },
    });
    expect(put.status).toBe(403);
    expect(errorCode(put)).toBe('HUB_ERR_FORBIDDEN');
    const add = await api('POST', '/api/devices', {
      token: family,
      body: { id: 'x1', householdId: 'hh-a', type: 'leak' },
    });
    expect(add.status).toBe(403);
    expect((await api('GET', '/api/responders', { token: family })).status).toBe(403);
    expect((await api('GET', '/api/users', { token: family })).status).toBe(403);
  });

  it('lets the dispatch center read what it dispatches with, and write nothing', async () => {
    for (const token of [dispatcher, supervisor]) {
      const households = await api('GET', '/api/households', { token });
      expect((households.body as unknown[]).length).toBe(2);
      for (const path of [
        '/api/households/hh-b',
        '/api/households/hh-b/residents',
        '/api/households/hh-b/contacts',
        '/api/devices/dev-b',
        '/api/gateways',
        '/api/responders',
        '/api/stations',
      ]) {
        expect(`${path} ${(await api('GET', path, { token })).status}`).toBe(`${path} 200`);
      }
      const create = await api('POST', '/api/devices', {
        token,
        body: { id: 'btn-new', householdId: 'hh-a', type: 'button' },
      });
      expect(create.status).toBe(403);
      expect(errorCode(create)).toBe('HUB_ERR_FORBIDDEN');
      expect((await api('DELETE', '/api/devices/dev-a', { token })).status).toBe(403);
      expect((await api('GET', '/api/users', { token })).status).toBe(403);
      expect((await api('POST', '/api/import', { token, body: { households: [] } })).status).toBe(403);
    }
    expect(await t.hub.registry.devices.get('btn-new')).toBeNull();
  });

  it('gives a responder none of the registry for now, but their own session', async () => {
    expect((await api('GET', '/api/households', { token: responder })).status).toBe(403);
    expect((await api('GET', '/api/households/hh-a', { token: responder })).status).toBe(403);
    expect((await api('GET', '/api/devices', { token: responder })).status).toBe(403);
    const me = await api('GET', '/api/auth/me', { token: responder });
    expect(me.body).toMatchObject({ user: { username: 'resp', role: 'responder' } });
  });
});
