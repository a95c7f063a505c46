import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { type Api, apiClient, errorCode, userWithToken } from './helpers/api.ts';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from './helpers/hub.ts';

/** A short session (config minimum, 6 min), so moving past its end fires few of the other rooms' timers. */
const SESSION_HOURS = 0.1;
const SESSION_MS = SESSION_HOURS * 3_600_000;

describe('console login and sessions', () => {
  const clock = new ManualClock();
  let t: TestHub;
  let api: Api;

  beforeAll(async () => {
    t = await startTestHub({ sessionHours: SESSION_HOURS }, { clock });
    api = apiClient(t.httpUrl);
  });
  afterAll(() => t.stop());

  it('answers a token, the user and an HttpOnly SameSite=Strict session cookie', async () => {
    const res = await api('POST', '/api/auth/login', {
      body: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect(res.status).toBe(200);
    const body = res.body as { token: string; expiresAt: string; user: Record<string, unknown> };
    expect(body.token).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(body.expiresAt).toBe(new Date(clock.now() + SESSION_MS).toISOString());
    expect(body.user).toMatchObject({ username: 'admin', role: 'admin', households: [] });
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toContain(`hub_session=${body.token}`);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Path=\//);
    expect(cookie).toMatch(/Max-Age=360(;|$)/);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('answers a wrong password and an unknown user alike: 401 HUB_ERR_BAD_CREDENTIALS', async () => {
    const wrong = await api('POST', '/api/auth/login', { body: { username: 'admin', password: 'not-it' } });
    const unknown = await api('POST', '/api/auth/login', {
      body: { username: 'nobody', password: 'not-it' },
    });
    expect(wrong.status).toBe(401);
    expect(errorCode(wrong)).toBe('HUB_ERR_BAD_CREDENTIALS');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(wrong.headers.get('set-cookie')).toBeNull();
  });

  it('refuses a disabled user with the same answer as a wrong password', async () => {
    const admin = await t.login();
    await userWithToken(t, api, admin, { username: 'gone', role: 'dispatcher' });
    const gone = await t.hub.registry.people.userByName('gone');
    await api('PUT', `/api/users/${gone?.id}`, { token: admin, body: { enabled: false } });
    const res = await api('POST', '/api/auth/login', {
      body: { username: 'gone', password: 'gone-password' },
    });
    expect(res.status).toBe(401);
    expect(errorCode(res)).toBe('HUB_ERR_BAD_CREDENTIALS');
  });

  it('takes the session from the cookie as well as from the bearer header', async () => {
    const token = await t.login();
    const byCookie = await api('GET', '/api/auth/me', {
      headers: { cookie: `theme=dark; hub_session=${token}` },
    });
    expect(byCookie.status).toBe(200);
    expect(byCookie.body).toMatchObject({ user: { username: 'admin', role: 'admin' } });
    const byBearer = await api('GET', '/api/auth/me', { token });
    expect(byBearer.status).toBe(200);
    const forged = await api('GET', '/api/auth/me', { headers: { cookie: 'hub_session=forged' } });
    expect(forged.status).toBe(401);
    expect(errorCode(forged)).toBe('HUB_ERR_UNAUTHENTICATED');
  });

  it('logs out: the token stops working and the cookie is cleared', async () => {
    const token = await t.login();
    const out = await api('POST', '/api/auth/logout', { token });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^hub_session=;.*Max-Age=0/);
    expect((await api('GET', '/api/auth/me', { token })).status).toBe(401);
  });

  it('ends a session after sessionHours', async () => {
    const token = await t.login();
    clock.advance(SESSION_MS - 1000);
    expect((await api('GET', '/api/auth/me', { token })).status).toBe(200);
    clock.advance(2000);
    expect((await api('GET', '/api/auth/me', { token })).status).toBe(401);
  });
});

/** POST /api/auth/login from a given local source address; answers the status. */
function loginFrom(
  localAddress: string,
  httpUrl: string,
  username: string,
  password: string,
): Promise<number> {
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = request(
      `${httpUrl}/api/auth/login`,
      {
        method: 'POST',
        localAddress,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('login rate limits', () => {
  const clock = new ManualClock();
  let t: TestHub;
  let api: Api;
  const login = (username: string, password: string) =>
    api('POST', '/api/auth/login', { body: { username, password } });

  beforeAll(async () => {
    t = await startTestHub({}, { clock });
    api = apiClient(t.httpUrl);
    await userWithToken(t, api, await t.login(), { username: 'dispatch1', role: 'dispatcher' });
  });
  afterAll(() => t.stop());

  it('after 10 failures a minute for one user name answers 429, even to the right password', async () => {
    for (let i = 0; i < 10; i++) expect((await login('admin', `guess-${i}`)).status).toBe(401);
    const blocked = await login('admin', ADMIN_PASSWORD);
    expect(blocked.status).toBe(429);
    expect(errorCode(blocked)).toBe('HUB_ERR_RATE_LIMITED');
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other users from the same address are not locked out by one guessed name.
    expect((await login('dispatch1', 'dispatch1-password')).status).toBe(200);
    clock.advance(60_000);
    expect((await login('admin', ADMIN_PASSWORD)).status).toBe(200);
  });

  it('after 30 failures a minute from one address answers 429 to every user name new to it, not to one that logged in from it before', async () => {
    const admin = await t.login();
    const created = await api('POST', '/api/users', {
      token: admin,
      body: { username: 'newcomer', role: 'dispatcher', password: 'newcomer-password' },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 30; i++) expect((await login(`sprayed-${i}`, 'guess')).status).toBe(401);
    expect((await login('newcomer', 'newcomer-password')).status).toBe(429);
    // dispatch1 has logged in from this address before: the sprayer does not keep it out
    expect((await login('dispatch1', 'dispatch1-password')).status).toBe(200);
    clock.advance(60_000);
    expect((await login('newcomer', 'newcomer-password')).status).toBe(200);
    const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/hub_logins_total\{result="rate_limited"\} [1-9]/);
    expect(metrics).toMatch(/hub_logins_total\{result="bad_credentials"\} 40/);
  });

  it('a guesser on another address cannot lock the admin out: limits count per (user name, address)', async () => {
    // 127.0.0.2 is another source address of this machine: the hub listens on 127.0.0.1 and sees it.
    for (let i = 0; i < 25; i++) {
      const status = await loginFrom('127.0.0.2', t.httpUrl, 'admin', `guess-${i}`);
      expect(status).toBe(i < 10 ? 401 : 429);
    }
    expect(await loginFrom('127.0.0.2', t.httpUrl, 'admin', ADMIN_PASSWORD)).toBe(429);
    expect(await loginFrom('127.0.0.1', t.httpUrl, 'admin', ADMIN_PASSWORD)).toBe(200);
    expect(await loginFrom('127.0.0.3', t.httpUrl, 'admin', ADMIN_PASSWORD)).toBe(200);
  });

  it('counts guesses sent in parallel: no more than 10 of 20 get checked', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => login('dispatch1', `guess-${i}`)));
    const statuses = answers.map((a) => a.status);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(10);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(10);
  });
});
