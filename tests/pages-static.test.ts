import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.ts';

describe('the pages, served by @fastify/static with @fastify/helmet headers', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await startTestHub();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('sends a page with its CSP and no framing, and answers 304 to a browser that has it', async () => {
    const first = await fetch(`${t.httpUrl}/dispatch/`);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toContain('text/html');
    const csp = first.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(first.headers.get('x-content-type-options')).toBe('nosniff');
    expect(first.headers.get('referrer-policy')).toBe('same-origin');
    expect(first.headers.get('cache-control')).toBe('no-cache');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    // node:http, not fetch: a browser's revalidation, whose 304 fetch would not hand over as such.
    const status = await new Promise<number | undefined>((resolve, reject) => {
      get(`${t.httpUrl}/dispatch/`, { headers: { 'if-none-match': etag ?? '' } }, (res) => {
        res.resume();
        resolve(res.statusCode);
      }).on('error', reject);
    });
    expect(status).toBe(304);
  });

  it('serves scripts as JavaScript, the chart library under /vendor, and redirects a folder to its slash', async () => {
    const js = await fetch(`${t.httpUrl}/common/dom.js`);
    expect(js.headers.get('content-type')).toMatch(/javascript/);
    expect((await fetch(`${t.httpUrl}/vendor/uplot.js`)).status).toBe(200);
    const folder = await fetch(`${t.httpUrl}/dispatch`, { redirect: 'manual' });
    expect(folder.status).toBe(302);
    expect(folder.headers.get('location')).toBe('/dispatch/');
  });

  it('serves nothing but page files: no type declarations, no tsconfig, nothing outside the folder', async () => {
    for (const path of [
      '/tsconfig.json',
      '/api-types.d.ts',
      '/common/dom-types.d.ts',
      '/../hub.ts',
      '/%2e%2e/hub.ts',
    ])
      expect((await fetch(`${t.httpUrl}${path}`)).status, path).toBe(404);
  });
});
