import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { SimButton } from '../simulators/device-types.ts';
import { MORNING, untilAsync } from './helpers/alerts.ts';
import { apiClient } from './helpers/api.ts';
import { launchBrowser, loginAs, newPage, screenshot } from './helpers/browser.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

const SECOND = 1000;

describe('supervisor console', { timeout: 60_000 }, () => {
  let browser: Browser;
  let t: TestHub | null = null;
  const buttons: SimButton[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const b of buttons.splice(0)) await b.end();
    await t?.stop();
    t = null;
  });

  it("shows today's SLA figures, a breach, incidents at risk, per grid, and the fleet's health, live", async () => {
    const clock = new ManualClock(MORNING);
    t = await startTestHub({ liveSyncIntervalMs: 200 }, { clock });
    const hub = t;
    const api = apiClient(t.httpUrl);
    const admin = await t.login();
    const post = async (path: string, body: unknown) => {
      const a = await api('POST', path, { token: admin, body });
      if (a.status >= 300) throw new Error(`${path}: ${a.status} ${a.text}`);
      return a.body as Record<string, unknown>;
    };
    for (const [id, grid] of [
      ['hh-1', 'grid-east'],
      ['hh-2', 'grid-west'],
    ] as const) {
      await post('/api/households', { id, address: `${id} 幸福路`, grid });
    }
    await post('/api/users', { username: 'sup1', role: 'supervisor', password: 'sup1-password' });
    const button = async (householdId: string) => {
      const id = `btn-${householdId}`;
      const created = await post('/api/devices', { id, householdId, type: 'button' });
      const b = await new SimButton({ url: hub.mqttUrl, id, secret: String(created.secret) }).connect();
      buttons.push(b);
      return b;
    };
    const incidentOf = async (householdId: string) => {
      let id: string | undefined;
      await untilAsync(
        async () => {
          id = (await hub.hub.alerts.incidents.list({ householdId, active: true })).find(
            (i) => i.alarmType === 'sos',
          )?.id;
          return id !== undefined;
        },
        3000,
        `incident of ${householdId}`,
      );
      return id as string;
    };

    // An SOS nobody acknowledges within 60 s (a breach), and a button with a low battery.
    const first = await button('hh-1');
    await first.heartbeat({ battery: 6 });
    await first.sos();
    const id1 = await incidentOf('hh-1');
    clock.advance(65 * SECOND); // the report counts the missed acknowledgement as a breach

    const { page, context, errors } = await newPage(browser);
    page.setDefaultTimeout(8000);
    await loginAs(page, t.httpUrl, 'sup1', 'sup1-password');
    expect(new URL(page.url()).pathname).toBe('/supervisor/');
    await page.waitForSelector('#live-status[data-state="live"]');
    await page.waitForSelector('#kpi-incidents .value');
    expect(await page.textContent('#kpi-incidents .value')).toBe('2'); // the SOS and the battery
    expect(await page.textContent('#kpi-emergencies .value')).toBe('1');
    expect(await page.textContent('#kpi-breaches .value')).toBe('1');
    expect(await page.textContent('#breaches-table')).toContain('hh-1');
    expect(await page.getAttribute(`#at-risk [data-incident-id="${id1}"] .countdown`, 'data-level')).toBe(
      'overdue',
    );
    expect(await page.textContent('#per-grid [data-grid="grid-east"]')).toContain('2');
    expect(await page.textContent('#kpi-battery .value')).toBe('1');
    expect(await page.textContent('#battery-low [data-device-id="btn-hh-1"]')).toContain('6%');

    // A new emergency elsewhere is at risk at once (60 s to acknowledge), without reloading the page.
    const second = await button('hh-2');
    await second.sos();
    const id2 = await incidentOf('hh-2');
    await page.waitForSelector(`#at-risk [data-incident-id="${id2}"]`);
    await page.waitForSelector('#per-grid [data-grid="grid-west"]');
    await page.waitForSelector('#kpi-incidents .value:text-is("3")');
    // Exports: the day of these incidents (2026-11-28, local), the incident list as CSV, through the page.
    await page.fill('#exp-from', '2026-11-28');
    await page.fill('#exp-to', '2026-11-28');
    await page.fill('#exp-grid', 'grid-east');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#exp-incidents-csv')]);
    const csv = await new Promise<string>((resolve, reject) => {
      download.createReadStream().then((stream) => {
        let text = '';
        stream.on('data', (c: Buffer) => {
          text += c.toString();
        });
        stream.on('end', () => resolve(text));
        stream.on('error', reject);
      }, reject);
    });
    expect(csv.split('\r\n')[0]).toMatch(/^id,opened_at,household_id,grid,/);
    expect(csv).toContain(id1); // hh-1 is in grid-east
    expect(csv).not.toContain(id2); // hh-2 is in grid-west
    expect(await page.getAttribute('#exp-sla-json', 'href')).toBe(
      '/api/reports/sla?from=2026-11-28&to=2026-11-29&format=json',
    );
    await screenshot(page, 'supervisor');
    await page.click('#lang-switch');
    expect(await page.textContent('#kpi-breaches .name')).toBe('Breaches');
    expect(errors).toEqual([]);
    await context.close();
  });
});
