import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { until } from '../simulators/device.ts';
import { SimMotion } from '../simulators/device-types.ts';
import { connectSim, MORNING } from './helpers/alerts.ts';
import { DESKTOP, launchBrowser, loginAs, newPage, PHONE, screenshot } from './helpers/browser.ts';
import { messagesOf } from './helpers/devices.ts';
import { ADMIN_PASSWORD } from './helpers/hub.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

const S = 1000;
/** a dispatch center's wall screen */
const WALL = { width: 2560, height: 1440 };
const MIN = 60 * S;

const text = async (page: Page, selector: string) =>
  (await page.locator(selector).textContent())?.trim() ?? '';

/** What a user sees of an element: Playwright's innerText (hidden parts left out), not the DOM node's. */
// biome-ignore lint/performance/useDomNodeTextContent: a Playwright locator, not a DOM node; the visible text is the point
const visibleText = (page: Page, selector: string) => page.locator(selector).innerText();

/** Every line of the timeline on the page, and the kinds and actions of its entries. */
async function timeline(page: Page) {
  const items = page.locator('#timeline li');
  const lines = (await items.allTextContents()).map((s) => s.replace(/\s+/g, ' ').trim());
  const kinds = new Set<string>();
  const actions = new Set<string>();
  for (let k = 0; k < (await items.count()); k++) {
    kinds.add((await items.nth(k).getAttribute('data-kind')) ?? '');
    const action = await items.nth(k).getAttribute('data-action');
    if (action) actions.add(action);
  }
  return { lines, kinds, actions };
}

/** the page's text without what people typed or named (ids, addresses, names, user names) */
const DATA = [
  /hh-test/g,
  /幸福路 1号/g,
  /王奶奶/g,
  /btn-1/g,
  /pir-1/g,
  /grid-1/g,
  /[dsfr]\.(zhao|qian|wang|li)/g,
  /\badmin\b/g,
  /Administrator/g,
  /r-1/g,
];
const ours = async (page: Page, selector: string) =>
  DATA.reduce((text, re) => text.replace(re, ''), await visibleText(page, selector));
/** Latin words on a zh page; the units and figures both languages write alike pass */
const english = (text: string) =>
  [...text.matchAll(/[A-Za-z][A-Za-z_]+/g)]
    .map((m) => m[0])
    .filter((w) => !['km', 'p50', 'p99', 'CSV', 'JSON', 'ms'].includes(w));
const chinese = (text: string) => [...text.matchAll(/\p{Script=Han}+/gu)].map((m) => m[0]);
const codes = (text: string) => [...text.matchAll(/\b[a-z]+_[a-z0-9_]+\b/g)].map((m) => m[0]);

/** What a user must never read: a printed object, an empty value, a code of the hub. */
const RAW = /object Object|undefined|\bnull\b|NaN|\b[a-z]+_[a-z0-9_]+\b/;
/** What people typed or are called stands as it is, in either language. */
const TYPED = ['赵敏', '李网格', '王奶奶', '电话确认无事', '已电话联系家属', 'hh-test', 'hh-2'];
const withoutTyped = (line: string) => TYPED.reduce((l, w) => l.replaceAll(w, ''), line);

// Issue 24: the pages' words. Item 1: the resident pressed cancel after the SOS; the incident stays open for
// a person to confirm, and every page says so. Item 4: every entry of an incident's timeline (each audit
// action, the evidence, the alarm path) in words of the page's language, people by their display name and
// role, no state said twice, plurals right, coordinates to 5 decimals.
describe('the pages in words', { timeout: 60_000 }, () => {
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
    await hub.user('s.li', 'supervisor');
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
    let { lines } = await timeline(dispatch.page);
    expect(lines).toContainEqual(
      expect.stringContaining('住户按下取消：住户 09:09 按下取消；仍需人工确认 — 系统'),
    );
    expect(lines.join('\n')).not.toMatch(/object Object|undefined|alarm_note|cancelled_by_resident/);
    await screenshot(dispatch.page, 'dispatch-resident-cancelled-zh');

    // The supervisor's at-risk list (the acknowledgement is overdue) says it too.
    const supervisor = await newPage(browser);
    await loginAs(supervisor.page, hub.t.httpUrl, 's.li', 's.li-password');
    await supervisor.page.waitForSelector(`#at-risk [data-incident-id="${id}"] .resident-cancelled`);
    expect(await text(supervisor.page, `#at-risk [data-incident-id="${id}"] .resident-cancelled`)).toBe(
      '· 住户已按取消，仍待确认',
    );
    await supervisor.context.close();

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
    ({ lines } = await timeline(dispatch.page));
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

  it('walks every kind of entry in Chinese and English: no code, no object, no English on the zh page', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const hub = h;
    const { households, people } = hub.t.hub.registry;
    await households.upsert({
      id: 'hh-test',
      address: 'hh-test 幸福路 1号',
      grid: 'grid-1',
      location: { lat: 31.2304, lon: 121.4737 },
    });
    await households.upsert({ id: 'hh-2', address: 'hh-2 和平路 8号', grid: 'grid-1' });
    const dispatcher = await hub.user('d.zhao', 'dispatcher');
    await people.updateUser(dispatcher.id, { displayName: '赵敏' });
    // the responder's user has no display name: the responder's own name stands for them
    const responder = await hub.user('r.li', 'responder');
    await people.upsertResponder({
      id: 'r-1',
      name: '李网格',
      kind: 'grid_worker',
      phone: '13800000000',
      grids: ['grid-1'],
      stationId: null,
      userId: responder.id,
    });
    const post = async (id: string, token: string, action: string, body?: unknown) => {
      const a = await hub.api('POST', `/api/incidents/${id}/${action}`, { token, ...(body ? { body } : {}) });
      expect([action, a.status, a.text]).toEqual([action, 200, a.text]);
    };

    // An SOS (opened, its evidence, the alarm path), pressed again (joined), then cancelled by the resident
    // (an alarm note); unacknowledged for 31 s (escalated).
    const button = await hub.button('btn-1');
    await hub.sos(button, { opened: 1 });
    const id = hub.opened[0]?.incident.id ?? '';
    // the dispatcher's page follows the incident live, to its end (a closed one leaves the queue)
    const { page, errors, context } = await newPage(browser);
    await loginAs(page, hub.t.httpUrl, 'd.zhao', 'd.zhao-password');
    await page.waitForSelector('#live-status[data-state="live"]');
    await page.click(`#queue [data-incident-id="${id}"]`);
    await page.waitForSelector(`[data-viewing="${id}"]`);
    clock.advance(5 * S);
    await hub.sos(button, { updated: 1 });
    clock.advance(5 * S);
    await button.cancel();
    await until(async () => (await hub.incident(id)).residentCancelledAt !== null, 3000, 'cancel noted');
    clock.advance(21 * S);
    await until(() => hub.escalated.length >= 1, 3000, 'the 30 s escalation');
    await post(id, dispatcher.token, 'acknowledge');
    await post(id, dispatcher.token, 'assign', { responderId: 'r-1' });
    await post(id, responder.token, 'decline');
    await post(id, dispatcher.token, 'assign', { responderId: 'r-1' });
    await post(id, responder.token, 'accept');
    const pos = await hub.api('POST', `/api/incidents/${id}/position`, {
      token: responder.token,
      body: { lat: 31.2484, lon: 121.4737 },
    });
    expect(pos.status).toBe(200);
    clock.advance(4 * MIN);
    await post(id, responder.token, 'arrive');
    await post(id, dispatcher.token, 'comment', { text: '已电话联系家属' });
    await post(id, responder.token, 'resolve', { outcome: 'false_alarm', note: '电话确认无事' });
    // A second household's SOS, cancelled by the dispatcher: still on the queue's list of all
    const button2 = await hub.button('btn-2', 'hh-2');
    await hub.sos(button2, { opened: 2 });
    const id2 = hub.opened[1]?.incident.id ?? '';

    await page.waitForSelector('#timeline li[data-action="resolve"]');
    const zh = await timeline(page);
    expect([...zh.kinds].sort()).toEqual(['audit', 'evidence', 'path']);
    expect([...zh.actions].sort()).toEqual(
      [
        'acknowledge',
        'accept',
        'alarm_joined',
        'alarm_note',
        'arrive',
        'assign',
        'comment',
        'decline',
        'escalated',
        'opened',
        'position',
        'resolve',
      ].sort(),
    );
    expect(zh.lines.filter((l) => RAW.test(l))).toEqual([]);
    // English left on the zh page (a device id such as btn-1 is a name, not a word)
    expect(zh.lines.filter((l) => /[A-Za-z]{2,}/.test(withoutTyped(l).replace(/btn-\d/g, '')))).toEqual([]);
    expect(zh.lines).toContainEqual(expect.stringMatching(/ 接警 — 赵敏（调度员）$/));
    expect(zh.lines).toContainEqual(expect.stringMatching(/ 接单 — 李网格（处置人员）$/));
    expect(zh.lines).toContainEqual(expect.stringContaining('升级提醒 — 系统：超过 30 秒未接警'));
    expect(zh.lines).toContainEqual(
      expect.stringContaining('31.24840, 121.47370 · 距离 2.0 公里 · 预计 9 分钟到达'),
    );
    expect(zh.lines).toContainEqual(
      expect.stringContaining('结案 — 李网格（处置人员）：误报 · 电话确认无事'),
    );
    expect(await page.locator('#evidence h3').textContent()).toBe('告警依据（2 次告警）');
    // confirmed and closed: no longer "still to be confirmed"
    expect(await page.locator('#resident-cancelled').count()).toBe(0);
    await screenshot(page, 'dispatch-timeline-zh');

    await page.click('#lang-switch');
    await page.waitForSelector('#timeline li');
    const en = await timeline(page);
    expect(en.lines).toHaveLength(zh.lines.length);
    expect(en.lines.filter((l) => RAW.test(l))).toEqual([]);
    expect(en.lines.filter((l) => /\p{Script=Han}/u.test(withoutTyped(l)))).toEqual([]);
    // the action names its state: not "Acknowledged (Acknowledged)"
    expect(
      en.lines.filter((l) => /\((Acknowledged|Dispatched|On site|Resolved|Cancelled)\)/.test(l)),
    ).toEqual([]);
    expect(en.lines).toContainEqual(expect.stringMatching(/ Acknowledged — 赵敏 \(Dispatcher\)$/));
    expect(en.lines).toContainEqual(expect.stringContaining('Escalated — hub: not acknowledged after 30 s'));
    expect(en.lines).toContainEqual(
      expect.stringContaining('31.24840, 121.47370 · 2.0 km away · arriving in about 9 min'),
    );
    expect(en.lines).toContainEqual(
      expect.stringContaining('Resolved — 李网格 (Responder): False alarm · 电话确认无事'),
    );
    await screenshot(page, 'dispatch-timeline-en');

    // One alarm is one, not "1 alarms"; the dispatcher's cancel reads as their words.
    await page.click(`#queue [data-incident-id="${id2}"]`);
    await page.waitForSelector(`[data-viewing="${id2}"]`);
    expect(await page.locator('#evidence h3').textContent()).toBe('Evidence (1 alarm)');
    await page.fill('#cancel-reason', '电话确认无事');
    await page.click('#cancel');
    await page.waitForSelector('#timeline li[data-action="cancel"]');
    const cancelled = await timeline(page);
    expect(cancelled.lines).toContainEqual(
      expect.stringMatching(/ Cancelled — 赵敏 \(Dispatcher\): 电话确认无事$/),
    );
    await page.click('#lang-switch');
    await page.waitForSelector('#timeline li[data-action="cancel"]');
    expect((await timeline(page)).lines).toContainEqual(
      expect.stringMatching(/ 取消 — 赵敏（调度员）：电话确认无事$/),
    );
    expect(errors).toEqual([]);
    await context.close();
  });

  it('words every code on the dispatcher, supervisor and admin pages: no raw code or English on a zh page, no Chinese of ours on an en page', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const hub = h;
    await hub.t.hub.registry.households.upsert({
      id: 'hh-test',
      address: 'hh-test 幸福路 1号',
      grid: 'grid-1',
      sharing: 'rhythm',
    });
    await hub.user('d.zhao', 'dispatcher');
    await hub.user('s.qian', 'supervisor');
    // An SOS nobody acknowledges for 65 s: escalation steps fired and a breach in today's report.
    const button = await hub.button('btn-1');
    await hub.sos(button, { opened: 1 });
    const id = hub.opened[0]?.incident.id ?? '';
    clock.advance(65 * S);
    await until(() => hub.escalated.length >= 2, 3000, 'the 30 s and 60 s escalations');

    const dispatch = await newPage(browser);
    await loginAs(dispatch.page, hub.t.httpUrl, 'd.zhao', 'd.zhao-password');
    await dispatch.page.waitForSelector('#live-status[data-state="live"]');
    await dispatch.page.click(`#queue [data-incident-id="${id}"]`);
    await dispatch.page.waitForSelector(`[data-viewing="${id}"]`);
    await dispatch.page.waitForSelector('#charts svg, #charts p:not(:has-text("…"))');
    const zhDispatch = await ours(dispatch.page, 'main');
    expect({ english: english(zhDispatch), codes: codes(zhDispatch) }).toEqual({ english: [], codes: [] });
    expect(await visibleText(dispatch.page, '#timeline')).toContain('超过 30 秒未接警');
    await dispatch.page.click('#lang-switch');
    await dispatch.page.waitForSelector(`[data-viewing="${id}"]`);
    const enDispatch = await ours(dispatch.page, 'main');
    expect({ chinese: chinese(enDispatch), codes: codes(enDispatch) }).toEqual({ chinese: [], codes: [] });
    expect(await visibleText(dispatch.page, '#timeline')).toContain('not acknowledged after 30 s');
    await screenshot(dispatch.page, 'dispatch-words-en');

    const sup = await newPage(browser);
    await loginAs(sup.page, hub.t.httpUrl, 's.qian', 's.qian-password');
    await sup.page.waitForSelector('#breaches tr[data-incident-id]');
    const zhSup = await ours(sup.page, '#breaches');
    expect({ english: english(zhSup), codes: codes(zhSup) }).toEqual({ english: [], codes: [] });
    expect(zhSup).toContain('接警：未完成，已超出时限');
    await sup.page.click('#lang-switch');
    const enSup = await ours(sup.page, '#breaches');
    expect({ chinese: chinese(enSup), codes: codes(enSup) }).toEqual({ chinese: [], codes: [] });
    expect(enSup).toContain('Acknowledge: not reached');

    const admin = await newPage(browser);
    await loginAs(admin.page, hub.t.httpUrl, 'admin', ADMIN_PASSWORD);
    await admin.page.waitForSelector('#households-table tr[data-id="hh-test"]');
    expect(await visibleText(admin.page, '#households-table tr[data-id="hh-test"]')).toContain(
      '状态与日常作息',
    );
    await admin.page.click('#tab-users');
    await admin.page.waitForSelector('#users-table tr');
    const zhUsers = await ours(admin.page, '#users-table');
    expect({ english: english(zhUsers), codes: codes(zhUsers) }).toEqual({ english: [], codes: [] });
    await admin.page.click('#lang-switch');
    await admin.page.click('#tab-households');
    await admin.page.waitForSelector('#households-table tr[data-id="hh-test"]');
    expect(await visibleText(admin.page, '#households-table tr[data-id="hh-test"]')).toContain(
      'status and daily rhythm',
    );
    for (const p of [dispatch, sup, admin]) {
      expect(p.errors).toEqual([]);
      await p.context.close();
    }
  });

  it("shows every time on the households' clock, labelled, in a browser in New York: dispatcher at 1366×768 and on a 2560×1440 wall, family and responder on a phone", async () => {
    // 09:00 in the household (UTC+8) is 20:00 the day before in New York, where these browsers are
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const hub = h;
    await hub.user('d.zhao', 'dispatcher');
    await hub.user('f.wang', 'family', ['hh-test']);
    await hub.user('r.li', 'responder');
    const pir = await connectSim(hub.t, (o) => new SimMotion(o), 'pir-1', 'living');
    await pir.motion();
    await until(
      async () => (await messagesOf(hub.t, 'pir-1')).some((m) => m.channel === 'event'),
      3000,
      'motion stored',
    );
    clock.advance(40 * MIN);
    const button = await hub.button('btn-1');
    await hub.sos(button, { opened: 1 });
    const id = hub.opened[0]?.incident.id ?? '';
    const elsewhere = async (viewport: { width: number; height: number }) => {
      const context = await browser.newContext({ viewport, locale: 'en-US', timezoneId: 'America/New_York' });
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));
      return { context, page, errors };
    };

    for (const viewport of [DESKTOP, WALL]) {
      const d = await elsewhere(viewport);
      await loginAs(d.page, hub.t.httpUrl, 'd.zhao', 'd.zhao-password');
      await d.page.waitForSelector('#live-status[data-state="live"]');
      expect(await text(d.page, '#zone')).toBe('住户当地时间（UTC+8）');
      expect(await text(d.page, `#queue [data-incident-id="${id}"] .opened`)).toBe('11/28 09:40:00');
      await d.page.click(`#queue [data-incident-id="${id}"]`);
      await d.page.waitForSelector('#chart-activity canvas');
      expect(await text(d.page, '.view-head .opened')).toBe('发生于 11/28 09:40:00');
      // the charts fill their panel, wider and taller on the wall
      const panel = (await d.page.locator('#charts').boundingBox())?.width ?? 0;
      const chart = await d.page.locator('#chart-activity .u-wrap').boundingBox();
      expect(chart?.width).toBeGreaterThan(panel - 20);
      if (viewport === WALL) expect(chart?.height).toBeGreaterThan(160);
      await screenshot(d.page, `dispatch-clock-zh-${viewport.width}`);
      await d.page.click('#lang-switch');
      await d.page.waitForSelector('#chart-activity canvas');
      expect(await text(d.page, '#zone')).toBe("Household's local time (UTC+8)");
      expect(await text(d.page, '.view-head .opened')).toBe('opened 28/11, 09:40:00');
      await screenshot(d.page, `dispatch-clock-en-${viewport.width}`);
      expect(d.errors).toEqual([]);
      await d.context.close();
    }

    const f = await elsewhere(PHONE);
    await loginAs(f.page, hub.t.httpUrl, 'f.wang', 'f.wang-password');
    await f.page.waitForSelector('#progress li[data-step="received"][data-current]');
    expect(await text(f.page, '#zone')).toBe('住户当地时间（UTC+8）');
    expect(await text(f.page, '#progress li[data-step="received"] small')).toBe('11/28 09:40:00');
    const zhFamily = await ours(f.page, 'main');
    expect({ english: english(zhFamily), codes: codes(zhFamily) }).toEqual({ english: [], codes: [] });
    await screenshot(f.page, 'family-clock-zh');
    await f.page.click('#lang-switch');
    const enFamily = await ours(f.page, 'main');
    expect({ chinese: chinese(enFamily), codes: codes(enFamily) }).toEqual({ chinese: [], codes: [] });
    expect(await text(f.page, '#progress li[data-step="received"] small')).toBe('28/11, 09:40:00');
    await screenshot(f.page, 'family-clock-en');
    expect(f.errors).toEqual([]);
    await f.context.close();

    const r = await elsewhere(PHONE);
    await loginAs(r.page, hub.t.httpUrl, 'r.li', 'r.li-password');
    await r.page.waitForSelector('#live-status[data-state="live"]');
    expect(await text(r.page, '#zone')).toBe('住户当地时间（UTC+8）');
    await screenshot(r.page, 'responder-clock-zh');
    expect(r.errors).toEqual([]);
    await r.context.close();
  });
});
