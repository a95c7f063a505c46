import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { MIN, MORNING, untilAsync } from './helpers/alerts.ts';
import { launchBrowser, loginAs, PHONE, screenshot } from './helpers/browser.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

const HOME = { lat: 31.2304, lon: 121.4737 };

/** A phone in China (390×844, Chinese, UTC+8) that may share its position, standing 890 m north of the home. */
async function phonePage(browser: Browser, origin: string) {
  const context = await browser.newContext({
    viewport: PHONE,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    geolocation: { latitude: HOME.lat + 0.008, longitude: HOME.lon },
  });
  await context.grantPermissions(['geolocation'], { origin });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return { context, page, errors };
}

const text = async (page: Page, selector: string) =>
  (await page.locator(selector).textContent())?.trim() ?? '';

describe('responder page', () => {
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

  it('takes a job on a phone: context and map links, accept, position on the way, arrived, outcome; others never see it', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const button = await h.button('btn-1');
    const { households } = h.t.hub.registry;
    await households.upsert({
      id: 'hh-test',
      address: '幸福路 1号 3单元 502',
      grid: 'grid-1',
      location: HOME,
      notes: '钥匙在门口信箱',
    });
    await households.upsertResident({
      id: 'res-1',
      householdId: 'hh-test',
      name: '王奶奶',
      birthYear: 1941,
      careNotes: ['糖尿病', '听力差，请大声敲门'],
    });
    await households.addContact({
      householdId: 'hh-test',
      name: '王小明',
      relation: '儿子',
      phone: '13800138000',
    });
    const dispatcher = (await h.user('d.zhao', 'dispatcher')).token;
    const li = await h.user('r.li', 'responder');
    const chen = await h.user('r.chen', 'responder');
    await h.responder('r-1', li.id);
    await h.responder('r-2', chen.id);

    const mine = await phonePage(browser, h.t.httpUrl);
    const other = await phonePage(browser, h.t.httpUrl);
    await loginAs(mine.page, h.t.httpUrl, 'r.li', 'r.li-password');
    await loginAs(other.page, h.t.httpUrl, 'r.chen', 'r.chen-password');
    expect(new URL(mine.page.url()).pathname).toBe('/responder/');
    await mine.page.waitForSelector('#no-jobs');
    await other.page.waitForSelector('#no-jobs');
    await mine.page.waitForSelector('#live-status[data-state="live"]');
    await other.page.waitForSelector('#live-status[data-state="live"]');

    await h.sos(button, { opened: 1 });
    const id = h.opened[0]?.incident.id ?? '';
    const post = async (action: string, body?: unknown) => {
      const a = await h?.api('POST', `/api/incidents/${id}/${action}`, {
        token: dispatcher,
        ...(body ? { body } : {}),
      });
      expect([action, a?.status]).toEqual([action, 200]);
    };
    await post('acknowledge');
    await post('assign', { responderId: 'r-1' });

    // The job arrives live with everything needed at the door.
    const job = `article.job[data-incident="${id}"]`;
    await mine.page.waitForSelector(`${job}[data-pending="true"]`);
    expect(await text(mine.page, `${job} .address`)).toBe('幸福路 1号 3单元 502');
    expect(await text(mine.page, `${job} .notes`)).toContain('钥匙在门口信箱');
    expect(await text(mine.page, `${job} .resident`)).toContain('王奶奶 · 85 岁');
    expect(await text(mine.page, `${job} .care-notes`)).toContain('听力差，请大声敲门');
    expect(await mine.page.getAttribute(`${job} .job-contacts a.call`, 'href')).toBe('tel:13800138000');
    expect(await mine.page.getAttribute(`${job} a.amap`, 'href')).toMatch(
      /^https:\/\/uri\.amap\.com\/marker\?position=121\.4737,31\.2304&/,
    );
    expect(await mine.page.getAttribute(`${job} a.geo`, 'href')).toBe('geo:31.2304,121.4737');

    // The on-site deadline (15 min after the alarm) counts down on the hub's clock, beside the time
    // since the alarm, in figures big enough to read at arm's length.
    expect(await text(mine.page, `${job} .clock.due .clock-label`)).toBe('距到场时限');
    expect(await text(mine.page, `${job} .clock.due .clock-value`)).toMatch(/^1[45]:\d\d$/);
    expect(await text(mine.page, `${job} .clock.since .clock-label`)).toBe('距报警已过');
    expect(await text(mine.page, `${job} .clock.since .clock-value`)).toMatch(/^0:\d\d$/);
    // The figure's CSS font size, px (the tests have no DOM types: the page's window, as far as used).
    type Styled = { getComputedStyle(el: unknown): { fontSize: string } };
    const figure = await mine.page.$eval(`${job} .clock.due .clock-value`, (el) =>
      Number.parseFloat((globalThis as unknown as Styled).getComputedStyle(el).fontSize),
    );
    expect(figure).toBeGreaterThanOrEqual(32);
    await screenshot(mine.page, 'responder-pending');
    await mine.page.click(`${job} button.accept`);
    await mine.page.waitForSelector(`${job}[data-state="dispatched"][data-pending="false"]`);
    // On the way, the resident presses cancel (within the default window): the job stands, and says so.
    expect(await mine.page.locator(`${job} .resident-cancelled`).count()).toBe(0);
    await button.cancel();
    await mine.page.waitForSelector(`${job} .resident-cancelled`);
    expect(await text(mine.page, `${job} .resident-cancelled`)).toBe('住户 09:00 按了取消：仍请到场确认');
    expect(await mine.page.getAttribute(job, 'data-state')).toBe('dispatched');
    // On the way: the phone's position goes to the hub (890 m at 15 km/h: 4 min), shown on the card.
    await mine.page.waitForSelector(`${job} .position-status`);
    expect(await text(mine.page, `${job} .position-status`)).toBe('位置已发送 · 预计 4 分钟到达');
    const detail = await h.api('GET', `/api/incidents/${id}`, { token: dispatcher });
    const positions = (
      detail.body as {
        timeline: Array<{ action?: string; username?: string; detail?: { etaMinutes?: number } }>;
      }
    ).timeline.filter((e) => e.action === 'position');
    expect(positions).toMatchObject([{ username: 'r.li', detail: { etaMinutes: 4 } }]);
    await screenshot(mine.page, 'responder-job');

    clock.advance(4 * MIN);
    await mine.page.click(`${job} button.arrive`);
    await mine.page.waitForSelector(`${job}[data-state="on_site"] form.resolve-form`);
    await screenshot(mine.page, 'responder-on-site');
    await mine.page.selectOption(`${job} select.outcome`, 'false_alarm');
    await mine.page.fill(`${job} textarea.note`, '老人误按，身体无恙');
    // A live update while typing (a dispatcher's comment) redraws the card but keeps what was typed.
    await mine.page.$eval(`${job} form.resolve-form`, (form) => form.setAttribute('data-before', ''));
    await post('comment', { text: '家属已电话确认' });
    await mine.page.waitForSelector(`${job} form.resolve-form:not([data-before])`);
    expect(await mine.page.inputValue(`${job} textarea.note`)).toBe('老人误按，身体无恙');
    expect(await mine.page.inputValue(`${job} select.outcome`)).toBe('false_alarm');
    await mine.page.click(`${job} button.resolve`);
    await mine.page.waitForSelector('#no-jobs');
    expect(await h.incident(id)).toMatchObject({
      state: 'resolved',
      outcome: 'false_alarm',
      note: '老人误按，身体无恙',
    });

    // The other responder's phone never showed it.
    expect(await other.page.locator('article.job').count()).toBe(0);
    expect(mine.errors).toEqual([]);
    expect(other.errors).toEqual([]);
    await mine.context.close();
    await other.context.close();
  }, 60_000);

  it('drops a job reassigned to someone else live, and a declined job leaves the page', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const button = await h.button('btn-1');
    const dispatcher = (await h.user('d.zhao', 'dispatcher')).token;
    const li = await h.user('r.li', 'responder');
    const chen = await h.user('r.chen', 'responder');
    await h.responder('r-1', li.id);
    await h.responder('r-2', chen.id);
    const mine = await phonePage(browser, h.t.httpUrl);
    const other = await phonePage(browser, h.t.httpUrl);
    await loginAs(mine.page, h.t.httpUrl, 'r.li', 'r.li-password');
    await loginAs(other.page, h.t.httpUrl, 'r.chen', 'r.chen-password');
    await mine.page.waitForSelector('#live-status[data-state="live"]');
    await other.page.waitForSelector('#live-status[data-state="live"]');

    await h.sos(button, { opened: 1 });
    const id = h.opened[0]?.incident.id ?? '';
    const job = `article.job[data-incident="${id}"]`;
    const assign = async (responderId: string) =>
      expect(
        (await h?.api('POST', `/api/incidents/${id}/assign`, { token: dispatcher, body: { responderId } }))
          ?.status,
      ).toBe(200);
    expect((await h.api('POST', `/api/incidents/${id}/acknowledge`, { token: dispatcher })).status).toBe(200);
    await assign('r-1');
    await mine.page.waitForSelector(job);
    await assign('r-2');
    await other.page.waitForSelector(job);
    await mine.page.waitForSelector('#no-jobs');

    await other.page.click(`${job} button.decline`);
    await other.page.waitForSelector('#no-jobs');
    await untilAsync(async () => (await h?.incident(id))?.pendingResponderId === null, 3000, 'declined');
    expect(mine.errors).toEqual([]);
    expect(other.errors).toEqual([]);
    await mine.context.close();
    await other.context.close();
  }, 60_000);
});
