import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, newPage, screenshot } from './helpers/browser.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

const TOKEN = 'docs-reader-token-2026';

interface Doc {
  paths: Record<string, Record<string, { summary: string; tags?: string[] }>>;
}

describe('the API docs UI at /api/docs (Swagger UI over the OpenAPI document, in Chromium)', () => {
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

  it("renders every operation with the document's summary, under the consoles' CSP, with no errors", async () => {
    t = await startTestHub();
    const doc = (await (await fetch(`${t.httpUrl}/api/docs/json`)).json()) as Doc;
    const operations = Object.values(doc.paths).flatMap((ops) => Object.values(ops));
    const { context, page, errors } = await newPage(browser);
    const refused: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') refused.push(m.text());
    });
    const res = await page.goto(`${t.httpUrl}/api/docs`);
    expect(res?.status()).toBe(200);
    const csp = res?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('unsafe-eval');

    await page.waitForSelector('.opblock-summary');
    // Swagger UI lists an operation under each of its tags (the incident export is also a report).
    const listed = operations.reduce((n, op) => n + Math.max(1, op.tags?.length ?? 0), 0);
    expect(await page.locator('.opblock').count()).toBe(listed);
    const shown = await page.locator('.opblock-summary-description').allInnerTexts();
    expect(new Set(shown)).toEqual(new Set(operations.map((op) => op.summary)));
    await screenshot(page, 'api-docs');

    // One operation opened: its parameter example, the example body, and its errors by catalog code.
    const register = page.locator('#operations-devices-post_api_devices');
    await register.locator('.opblock-summary').click();
    await expect.poll(async () => (await register.textContent()) ?? '').toContain('HUB_ERR_CONFLICT');
    const text = (await register.textContent()) ?? '';
    expect(text).toContain('"sos-0001"');
    expect(text).toContain('sos-0001 is already a device or gateway id');
    for (const status of ['201', '400', '401', '403', '409', '413', '415', '500'])
      expect(text).toContain(status);
    await register.scrollIntoViewIfNeeded();
    await screenshot(page, 'api-docs-operation');

    expect(errors).toEqual([]);
    expect(refused).toEqual([]);
    await context.close();
  });

  it('with metricsAuth token: refused without the token, rendered with it', async () => {
    t = await startTestHub({ metricsAuth: 'token', metricsToken: TOKEN });
    for (const path of [
      '/api/docs',
      '/api/docs/json',
      '/api/docs/yaml',
      '/api/docs/static/swagger-ui-bundle.js',
    ]) {
      const without = await fetch(`${t.httpUrl}${path}`);
      expect([path, without.status]).toEqual([path, 401]);
      expect(((await without.json()) as { error: { code: string } }).error.code).toBe(
        'HUB_ERR_UNAUTHENTICATED',
      );
      const wrong = await fetch(`${t.httpUrl}${path}`, { headers: { authorization: 'Bearer not-it' } });
      expect([path, wrong.status]).toEqual([path, 401]);
      const right = await fetch(`${t.httpUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect([path, right.status]).toEqual([path, 200]);
    }

    const plain = await newPage(browser);
    expect((await plain.page.goto(`${t.httpUrl}/api/docs`))?.status()).toBe(401);
    await plain.context.close();

    const context = await browser.newContext({ extraHTTPHeaders: { authorization: `Bearer ${TOKEN}` } });
    const page = await context.newPage();
    expect((await page.goto(`${t.httpUrl}/api/docs`))?.status()).toBe(200);
    await page.waitForSelector('.opblock-summary');
    expect(await page.locator('.opblock-summary-description').allInnerTexts()).toContain(
      'Log in; answers a bearer token and sets the session cookie',
    );
    await context.close();
  });
});
