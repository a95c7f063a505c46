import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, loginAs, newPage, screenshot } from './helpers/browser.ts';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from './helpers/hub.ts';

describe('console pages: login and the page frame', () => {
  let browser: Browser;
  let t: TestHub | null = null;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await t?.stop();
    t = null;
  });

  it('logs in through the page in Chinese, switches to English, and sends a wrong password back with a message', async () => {
    t = await startTestHub();
    const { page, context, errors } = await newPage(browser);
    await page.goto(`${t.httpUrl}/`);
    expect(await page.textContent('#login-submit')).toBe('登录');
    await page.click('#lang-switch');
    expect(await page.textContent('#login-submit')).toBe('Log in');
    await page.fill('#username', 'admin');
    await page.fill('#password', 'wrong-password');
    await page.click('#login-submit');
    await page.waitForSelector('#login-error:text("Wrong user name or password")');
    await screenshot(page, 'login');
    await loginAs(page, t.httpUrl, 'admin', ADMIN_PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/admin/');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'hub_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('serves pages with a same-origin content security policy, and an unknown page or API path as 404', async () => {
    t = await startTestHub();
    const page = await fetch(`${t.httpUrl}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect((await fetch(`${t.httpUrl}/nope.html`)).status).toBe(404);
    const api = await fetch(`${t.httpUrl}/api/nope`);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('HUB_ERR_NOT_FOUND');
    expect((await fetch(`${t.httpUrl}/vendor/uplot.js`)).status).toBe(200);
  });
});
