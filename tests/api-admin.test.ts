import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, apiClient, errorCode } from './helpers/api.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

const fixture = (name: string) =>
  readFileSync(join(import.meta.dirname, 'fixtures/provisioning', name), 'utf8');

interface Report {
  ok: boolean;
  counts: Record<string, { created: number; updated: number; unchanged: number }>;
  secrets: Array<{ id: string; secret: string }>;
}

describe('users, responders and stations (admin)', () => {
  let t: TestHub;
  let api: Api;
  let token: string;

  beforeAll(async () => {
    t = await startTestHub();
    api = apiClient(t.httpUrl);
    token = await t.login();
    await api('POST', '/api/households', {
      token,
      body: { id: 'hh-1', address: '幸福路 1号', grid: 'grid-1' },
    });
  });
  afterAll(() => t.stop());

  it('creates a family user linked to households; the password logs in and is never answered', async () => {
    const created = await api('POST', '/api/users', {
      token,
      body: { username: 'li.ming', role: 'family', password: 'li-ming-pass', households: ['hh-1'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      username: 'li.ming',
      role: 'family',
      households: ['hh-1'],
      enabled: true,
    });
    const list = await api('GET', '/api/users', { token });
    expect(list.text).not.toMatch(/password|scrypt/i);
    const family = await t.login('li.ming', 'li-ming-pass');
    const me = await api('GET', '/api/auth/me', { token: family });
    expect(me.body).toMatchObject({ user: { role: 'family', households: ['hh-1'] } });
    expect((await api('GET', '/api/users', { token: family })).status).toBe(403);
  });

  it('checks household links and user names', async () => {
    const unknown = await api('POST', '/api/users', {
      token,
      body: {
        username: 'x.family',
        role: 'family',
        password: 'long-enough',
        households: ['hh-1', 'hh-none'],
      },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toMatchObject({ error: { details: { problems: [{ path: '/households/1' }] } } });
    const notFamily = await api('POST', '/api/users', {
      token,
      body: { username: 'x.disp', role: 'dispatcher', password: 'long-enough', households: ['hh-1'] },
    });
    expect(notFamily.status).toBe(400);
    const duplicate = await api('POST', '/api/users', {
      token,
      body: { username: 'li.ming', role: 'dispatcher', password: 'long-enough' },
    });
    expect(duplicate.status).toBe(409);
    const short = await api('POST', '/api/users', {
      token,
      body: { username: 'y', role: 'dispatcher', password: 'short' },
    });
    expect(short.status).toBe(400);
    expect(short.body).toMatchObject({ error: { details: { problems: [{ path: '/password' }] } } });
  });

  it('ends the sessions of a user whose password is changed', async () => {
    const user = await t.hub.registry.people.userByName('li.ming');
    const session = await t.login('li.ming', 'li-ming-pass');
    const put = await api('PUT', `/api/users/${user?.id}`, { token, body: { password: 'a-new-password' } });
    expect(put.status).toBe(200);
    expect((await api('GET', '/api/auth/me', { token: session })).status).toBe(401);
    await t.login('li.ming', 'a-new-password');
  });

  it("ends a user's sessions when they are disabled or deleted, or an import changes their password", async () => {
    const me = async (session: string) => (await api('GET', '/api/auth/me', { token: session })).status;
    const create = async (username: string) => {
      const res = await api('POST', '/api/users', {
        token,
        body: { username, role: 'dispatcher', password: `${username}-pass` },
      });
      expect(res.status).toBe(201);
      return (res.body as { id: number }).id;
    };
    const bystander = await t.login('li.ming', 'a-new-password');

    const disabled = await create('s.disabled');
    const disabledSession = await t.login('s.disabled', 's.disabled-pass');
    expect(await me(disabledSession)).toBe(200);
    const put = await api('PUT', `/api/users/${disabled}`, { token, body: { enabled: false } });
    expect(put.status).toBe(200);
    expect(await me(disabledSession)).toBe(401);
    // enabled again, the old session stays ended
    await api('PUT', `/api/users/${disabled}`, { token, body: { enabled: true } });
    expect(await me(disabledSession)).toBe(401);

    const deleted = await create('s.deleted');
    const deletedSession = await t.login('s.deleted', 's.deleted-pass');
    expect((await api('DELETE', `/api/users/${deleted}`, { token })).status).toBe(204);
    expect(await me(deletedSession)).toBe(401);

    await create('s.import');
    const importSession = await t.login('s.import', 's.import-pass');
    const document = (password: string) => ({
      users: [{ username: 's.import', role: 'dispatcher', password }],
    });
    // the password it already has: nothing changes, the session stays
    const same = await api('POST', '/api/import', { token, body: document('s.import-pass') });
    expect((same.body as Report).counts.users).toEqual({ created: 0, updated: 0, unchanged: 1 });
    expect(await me(importSession)).toBe(200);
    const changed = await api('POST', '/api/import', { token, body: document('s.import-new-pass') });
    expect((changed.body as Report).counts.users).toEqual({ created: 0, updated: 1, unchanged: 0 });
    expect(await me(importSession)).toBe(401);
    await t.login('s.import', 's.import-new-pass');

    // nobody else lost theirs
    expect(await me(bystander)).toBe(200);
    expect(await me(token)).toBe(200);
  });

  it('never removes, demotes or disables the last enabled admin', async () => {
    const admin = await t.hub.registry.people.userByName('admin');
    expect((await api('DELETE', `/api/users/${admin?.id}`, { token })).status).toBe(409);
    expect(
      (await api('PUT', `/api/users/${admin?.id}`, { token, body: { role: 'dispatcher' } })).status,
    ).toBe(409);
    expect((await api('PUT', `/api/users/${admin?.id}`, { token, body: { enabled: false } })).status).toBe(
      409,
    );
    expect((await api('GET', '/api/auth/me', { token })).status).toBe(200);
  });

  it('keeps responders and their stations consistent', async () => {
    const station = await api('POST', '/api/stations', {
      token,
      body: { id: 'st-1', name: '中都助老站', lat: 35.7, lon: 116.4 },
    });
    expect(station.status).toBe(201);
    const noStation = await api('POST', '/api/responders', {
      token,
      body: { id: 'resp-1', name: '王芳', kind: 'station_staff', stationId: 'st-none' },
    });
    expect(noStation.status).toBe(400);
    expect(noStation.body).toMatchObject({ error: { details: { problems: [{ path: '/stationId' }] } } });
    const created = await api('POST', '/api/responders', {
      token,
      body: { id: 'resp-1', name: '王芳', kind: 'station_staff', stationId: 'st-1', grids: ['grid-1'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: 'resp-1',
      stationId: 'st-1',
      grids: ['grid-1'],
      phone: '',
      userId: null,
    });
    const badKind = await api('PUT', '/api/responders/resp-1', {
      token,
      body: { name: '王芳', kind: 'hero' },
    });
    expect(badKind.status).toBe(400);
    expect((await api('DELETE', '/api/responders/resp-1', { token })).status).toBe(204);
    expect((await api('GET', '/api/responders/resp-1', { token })).status).toBe(404);
  });
});

describe('provisioning import through the API', () => {
  let t: TestHub;
  let api: Api;
  let token: string;

  beforeAll(async () => {
    t = await startTestHub();
    api = apiClient(t.httpUrl);
    token = await t.login();
  });
  afterAll(() => t.stop());

  it('imports a JSON provisioning document and answers the new secrets once', async () => {
    const res = await api('POST', '/api/import', {
      token,
      body: fixture('example.json'),
      contentType: 'application/json',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const report = res.body as Report;
    expect(report.ok).toBe(true);
    expect(report.counts.devices).toEqual({ created: 7, updated: 0, unchanged: 0 });
    const btn = report.secrets.find((s) => s.id === 'btn-0001');
    const identity = await t.hub.registry.devices.identity('btn-0001');
    expect(
      btn && identity && t.hub.registry.devices.secrets.verify('btn-0001', btn.secret, identity.secretHash),
    ).toBe(true);
    // The same file again changes nothing and shows no secret.
    const again = await api('POST', '/api/import', {
      token,
      body: { format: 'json', content: fixture('example.json') },
    });
    expect(again.status).toBe(200);
    expect((again.body as Report).counts.devices).toEqual({ created: 0, updated: 0, unchanged: 7 });
    expect((again.body as Report).secrets).toEqual([]);
  });

  it('imports CSV sent as text/csv', async () => {
    const res = await api('POST', '/api/import', {
      token,
      body: fixture('households.csv'),
      contentType: 'text/csv',
    });
    expect(res.status).toBe(200);
    expect((res.body as Report).counts.households?.created).toBeGreaterThan(0);
  });

  it('imports nothing from a file with bad rows and answers 422 with every problem and its line', async () => {
    const before = (await t.hub.registry.devices.list()).length;
    const res = await api('POST', '/api/import', {
      token,
      body: fixture('bad.csv'),
      contentType: 'text/csv',
    });
    expect(res.status).toBe(422);
    expect(errorCode(res)).toBe('HUB_ERR_IMPORT_INVALID');
    const found = (res.body as { error: { details: { problems: Array<{ line: number; reason: string }> } } })
      .error.details.problems;
    expect(found.length).toBeGreaterThan(3);
    expect(found.every((p) => p.line >= 2 && p.reason.length > 0)).toBe(true);
    expect((await t.hub.registry.devices.list()).length).toBe(before);
    const wrapper = await api('POST', '/api/import', { token, body: { format: 'xml', content: '<a/>' } });
    expect(wrapper.status).toBe(400);
    expect(wrapper.body).toMatchObject({ error: { details: { problems: [{ path: '/format' }] } } });
  });
});
