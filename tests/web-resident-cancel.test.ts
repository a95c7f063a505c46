import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { until } from '../simulators/device.ts';
import { MORNING } from './helpers/alerts.ts';
import { launchBrowser, loginAs, newPage, PHONE, screenshot } from './helpers/browser.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

const text = async (page: Page, selector: string) =>
  (await page.locator(selector).textContent())?.trim() ?? '';

/** Every line of the incident's timeline on the dispatcher's page. */
const timeline = async (page: Page) =>
  (await page.locator('#timeline li').allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());

// Issue 24, item 1: the resident pressed cancel after the SOS. The incident stays open for a person to
// confirm, and every page says so: the queue row, the incident's explanation and timeline, the family's banner.
describe('a resident cancels their SOS', { timeout: 60_000 }, () => {
  let browser: Browser;
  let h: IncidentsHub | null = null;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  it('shows the cancel on the queue row, in the explanation and timeline, and on the family page, in both languages', async () => {
    // 09:00:00 in the household's clock (UTC+8): MORNING
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const hub = h;
    await hub.user('d.zhao', 'dispatcher');
    await hub.user('f.wang', 'family', ['hh-test']);
    const button = await hub.button('btn-1');
    const dispatch = await newPage(browser);
    await loginAs(dispatch.page, hub.t.httpUrl, 'd.zhao', 'd.zhao-password');
    await dispatch.page.waitForSelector('#live-status[data-state="live"]');
    const family = await newPage(browser, PHONE);
    await loginAs(family.page, hub.t.httpUrl, 'f.wang', 'f.wang-password');
    await family.page.waitForSelector('#live-status[data-state="live"]');

    await hub.sos(button, { opened: 1 });
    const id = hub.opened[0]?.incident.id ?? '';
    const row = `#queue [data-incident-id="${id}"]`;
    await dispatch.page.waitForSelector(row);
    await family.page.waitForSelector('#status-banner[data-state="alarm"]');
    expect(await dispatch.page.locator(`${row} .resident-cancelled`).count()).toBe(0);

    // 9 minutes later she presses cancel (within the household's cancel window, set to its widest: 10 min)
    const put = await hub.api('PUT', '/api/households/hh-test/alert-settings', {
      token: hub.adminToken,
      body: { sosCancelWindowMs: 10 * 60_000 },
    });
    expect(put.status).toBe(200);
    clock.advance(9 * 60_000);
    await button.cancel();
    await until(
      async () => (await hub.incident(id)).residentCancelledAt !== null,
      3000,
      'the incident marked cancelled by the resident',
    );
    await dispatch.page.waitForSelector(`${row}[data-resident-cancelled="true"]`);
    expect(await text(dispatch.page, `${row} .resident-cancelled`)).toBe('住户已按取消，仍待确认');
    expect(await dispatch.page.getAttribute(row, 'data-state')).toBe('open');
    expect(await text(dispatch.page, `${row} .explanation`)).toContain('住户 09:09 按下取消；仍需人工确认');

    await dispatch.page.click(row);
    await dispatch.page.waitForSelector(`[data-viewing="${id}"]`);
    expect(await text(dispatch.page, '#resident-cancelled')).toBe('住户已按取消，仍待确认');
    expect(await text(dispatch.page, '#incident-explanation')).toContain('住户 09:09 按下取消');
    let lines = await timeline(dispatch.page);
    expect(lines).toContainEqual(
      expect.stringContaining('住户按下取消：住户 09:09 按下取消；仍需人工确认 — 系统'),
    );
    expect(lines.join('\n')).not.toMatch(/object Object|undefined|alarm_note|cancelled_by_resident/);
    await screenshot(dispatch.page, 'dispatch-resident-cancelled-zh');

    await family.page.waitForSelector('#status-banner[data-state="confirming"]');
    expect(await text(family.page, '#status-text')).toBe('王奶奶在 09:09 按下了取消，服务中心正在确认');
    expect(await text(family.page, '#progress-what')).toContain('住户 09:09 按下取消');
    await screenshot(family.page, 'family-resident-cancelled-zh');

    await dispatch.page.click('#lang-switch');
    await dispatch.page.waitForSelector(`${row} .resident-cancelled`);
    expect(await text(dispatch.page, `${row} .resident-cancelled`)).toBe(
      'Cancelled by resident — still to be confirmed',
    );
    expect(await text(dispatch.page, '#incident-explanation')).toContain(
      'cancelled by resident at 09:09; a person still confirms',
    );
    lines = await timeline(dispatch.page);
    expect(lines).toContainEqual(
      expect.stringContaining('Resident pressed cancel: cancelled by resident at 09:09'),
    );
    expect(lines.join('\n')).not.toMatch(/object Object|undefined|alarm_note|cancelled_by_resident/);
    await screenshot(dispatch.page, 'dispatch-resident-cancelled-en');

    await family.page.click('#lang-switch');
    expect(await text(family.page, '#status-text')).toBe(
      '王奶奶 pressed cancel at 09:09; the centre is confirming',
    );
    await screenshot(family.page, 'family-resident-cancelled-en');

    // She presses SOS again: the incident is a plain SOS once more, everywhere.
    clock.advance(60_000);
    await button.sos();
    await dispatch.page.waitForSelector(`${row}:not([data-resident-cancelled])`);
    await family.page.waitForSelector('#status-banner[data-state="alarm"]');
    expect(dispatch.errors).toEqual([]);
    expect(family.errors).toEqual([]);
    await dispatch.context.close();
    await family.context.close();
  });
});
