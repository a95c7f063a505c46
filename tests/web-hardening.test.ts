import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { until } from '../simulators/device.ts';
import { apiClient } from './helpers/api.ts';
import { launchBrowser, loginAs, newPage } from './helpers/browser.ts';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from './helpers/hub.ts';

const document = (username: string) =>
  JSON.stringify({ users: [{ username, role: 'admin', password: 'attacker-password-1' }] });

/**
 * The page of an attacker on another port of the hub's own host: the same site, so a SameSite=Strict
 * cookie still goes with its requests. It tries the "simple" requests a browser sends without a CORS
 * preflight: a text/plain fetch, an HTML form (enctype text/plain), and a login.
 */
function attackerPage(hubUrl: string): string {
  return `<!doctype html><html><body>
<form id="f" method="POST" action="${hubUrl}/api/import" enctype="text/plain" target="sink">
  <input name='${document('evil-form').slice(0, -2)}' value='"}]}'>
</form>
<iframe name="sink"></iframe>
<script>
  fetch(${JSON.stringify(`${hubUrl}/api/import`)}, { method: 'POST', mode: 'no-cors', credentials: 'include',
    headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(document('evil-fetch'))} });
  fetch(${JSON.stringify(`${hubUrl}/api/auth/login`)}, { method: 'POST', mode: 'no-cors', credentials: 'include',
    headers: { 'content-type': 'text/plain' }, body: ${JSON.stringify(JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }))} });
  document.getElementById('f').submit();
</script></body></html>`;
}

describe('CSRF: a page on another port of the hub’s host cannot act with an admin’s session', () => {
  let t: TestHub;
  let browser: Browser;
  let attacker: Server;
  let attackerUrl = '';
  beforeAll(async () => {
    t = await startTestHub();
    browser = await launchBrowser();
    attacker = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(attackerPage(t.httpUrl));
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await browser?.close();
    attacker?.close();
    await t?.stop();
  });

  const refused = (route: string) =>
    t.hub.metrics.value('hub_http_requests_total', { route, status: '403' }) +
    t.hub.metrics.value('hub_http_requests_total', { route: 'unmatched', status: '403' });

  it('refuses the forged import and login, while the admin’s own page still works', async () => {
    // The forged document itself is a valid import: through the API with a token it creates an admin.
    const api = apiClient(t.httpUrl);
    const token = await t.login();
    const control = await api('POST', '/api/import', { token, body: JSON.parse(document('control-admin')) });
    expect(control.status).toBe(200);
    expect((await t.hub.registry.people.userByName('control-admin'))?.role).toBe('admin');

    const { page, context } = await newPage(browser);
    await loginAs(page, t.httpUrl, 'admin', ADMIN_PASSWORD);
    await page.goto(attackerUrl);
    await until(() => refused('POST /api/import') >= 2, 5000, 'both forged imports answered');
    await until(() => refused('POST /api/auth/login') >= 1, 5000, 'the forged login answered');
    expect(await t.hub.registry.people.userByName('evil-fetch')).toBeNull();
    expect(await t.hub.registry.people.userByName('evil-form')).toBeNull();

    // The hub's own page, same browser, same cookie: a JSON request from its origin goes through.
    await page.goto(`${t.httpUrl}/admin`);
    const status = await page.evaluate(async () => {
      const res = await fetch('/api/import', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          users: [{ username: 'own-admin', role: 'admin', password: 'own-password-1' }],
        }),
      });
      return res.status;
    });
    expect(status).toBe(200);
    expect((await t.hub.registry.people.userByName('own-admin'))?.role).toBe('admin');
    // And text/plain is no JSON, even from the hub's own origin.
    const plain = await page.evaluate(async () => {
      const res = await fetch('/api/import', {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
        body: '{}',
      });
      return res.status;
    });
    expect(plain).toBe(415);
    await context.close();
  });
});

describe('login: no open redirect', () => {
  let t: TestHub;
  let browser: Browser;
  beforeAll(async () => {
    t = await startTestHub();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t?.stop();
  });

  for (const next of ['/\\evil.example/', '/%09/evil.example/', '//evil.example/', 'https://evil.example/']) {
    it(`stays on the hub after login with next=${next}`, async () => {
      const { page, context } = await newPage(browser);
      // Any request off the hub is cut: the test never leaves loopback.
      await context.route(/^(?!http:\/\/127\.0\.0\.1)/, (route) => route.abort());
      await page.goto(`${t.httpUrl}/?next=${next}`);
      await page.fill('#username', 'admin');
      await page.fill('#password', ADMIN_PASSWORD);
      await Promise.all([page.waitForURL((url) => url.pathname !== '/'), page.click('#login-submit')]);
      expect(new URL(page.url()).origin).toBe(t.httpUrl);
      await context.close();
    });
  }

  it('still goes back to a page of the hub named in next', async () => {
    const { page, context } = await newPage(browser);
    await page.goto(`${t.httpUrl}/?next=${encodeURIComponent('/supervisor/?x=1')}`);
    await page.fill('#username', 'admin');
    await page.fill('#password', ADMIN_PASSWORD);
    await Promise.all([page.waitForURL((url) => url.pathname !== '/'), page.click('#login-submit')]);
    expect(page.url()).toBe(`${t.httpUrl}/supervisor/?x=1`);
    await context.close();
  });
});
