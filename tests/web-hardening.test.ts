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

describe('bidi isolation: a name with U+202E cannot make the text around it read backwards', () => {
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

  it('renders people’s names in isolation on the admin page: the next name still reads left to right', async () => {
    const api = apiClient(t.httpUrl);
    const token = await t.login();
    // Names are accepted (U+202E is a format character, not a control one) and shown as written.
    for (const [id, name] of [
      ['rsp-bidi-1', 'Amy\u202Egnol'],
      ['rsp-bidi-2', 'Zed'],
    ]) {
      const created = await api('POST', '/api/responders', {
        token,
        body: { id, name, kind: 'volunteer', grids: ['grid-bidi'] },
      });
      expect(created.status).toBe(201);
    }
    const { page } = await newPage(browser);
    page.setDefaultTimeout(8000);
    await loginAs(page, t.httpUrl, 'admin', ADMIN_PASSWORD);
    await page.click('#tab-grids');
    const cell = page.locator('#grids-table tr[data-grid="grid-bidi"] td').nth(2);
    await cell.waitFor();
    // Where the browser drew the letters of "Zed", which follows the override in the same cell.
    // (a string: the page's code, not this file's, which has no DOM types)
    const xs = (await page.evaluate(`(() => {
      const td = document.querySelector('#grids-table tr[data-grid="grid-bidi"] td:nth-child(3)');
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        const at = (n.textContent ?? '').indexOf('Zed');
        if (at < 0) continue;
        return [0, 1, 2].map((i) => {
          const range = document.createRange();
          range.setStart(n, at + i);
          range.setEnd(n, at + i + 1);
          return range.getBoundingClientRect().left;
        });
      }
      return [];
    })()`)) as number[];
    expect(xs).toHaveLength(3);
    const [z = 0, e = 0, d = 0] = xs;
    expect(z).toBeLessThan(e);
    expect(e).toBeLessThan(d);
    // The name itself is kept as written (its override stays inside it).
    expect(await cell.textContent()).toContain('Amy\u202Egnol');
  });

  it('puts a name rendered on its own in a <bdi>', async () => {
    const { page } = await newPage(browser);
    await loginAs(page, t.httpUrl, 'admin', ADMIN_PASSWORD);
    const html = await page.evaluate(`import('/common/dom.js').then(({ h }) =>
      h('span', null, 'Amy\\u202Egnol', ' (daughter)').outerHTML)`);
    expect(html).toBe('<span><bdi>Amy\u202Egnol</bdi> (daughter)</span>');
  });
});
