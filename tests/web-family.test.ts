import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { until } from '../simulators/device.ts';
import { SimMotion } from '../simulators/device-types.ts';
import { connectSim, MIN, MORNING, untilAsync } from './helpers/alerts.ts';
import { launchBrowser, loginAs, newPage, PHONE, screenshot } from './helpers/browser.ts';
import { messagesOf } from './helpers/devices.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

/** The household hh-test with a location, a contact and rhythm sharing; hh-2 shares only its status. */
async function furnish(h: IncidentsHub): Promise<void> {
  const { households } = h.t.hub.registry;
  await households.upsert({
    id: 'hh-test',
    address: '幸福路 1号 3单元 502',
    grid: 'grid-1',
    location: { lat: 31.2304, lon: 121.4737 },
    sharing: 'rhythm',
  });
  await households.addContact({
    householdId: 'hh-test',
    name: '王小明',
    relation: '儿子',
    phone: '138 0013 8000',
  });
  await households.upsert({ id: 'hh-2', address: '和平路 8号', grid: 'grid-1', sharing: 'status' });
  await households.upsertResident({ id: 'res-2', householdId: 'hh-2', name: '李爷爷' });
}

const text = async (page: Page, selector: string) =>
  (await page.locator(selector).textContent())?.trim() ?? '';

describe('family page', () => {
  let browser: Browser;
  let h: IncidentsHub | null = null;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const t = () => {
    if (!h) throw new Error('no hub');
    return h.t;
  };
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  it('follows an SOS live from received to resolved, with the ETA and the outcome, in Chinese and English', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const button = await h.button('btn-1');
    const pir = await connectSim(h.t, (o) => new SimMotion(o), 'pir-1', 'living');
    await button.heartbeat({ battery: 90 });
    await furnish(h);
    await pir.motion();
    await until(
      async () => (await messagesOf(t(), 'pir-1')).some((m) => m.channel === 'event'),
      3000,
      'motion stored',
    );
    clock.advance(5 * MIN);
    await h.user('f.wang', 'family', ['hh-test']);
    const dispatcher = (await h.user('d.zhao', 'dispatcher')).token;
    const responderUser = await h.user('r.li', 'responder');
    await h.responder('r-1', responderUser.id);

    const { page, context, errors } = await newPage(browser, PHONE);
    await loginAs(page, h.t.httpUrl, 'f.wang', 'f.wang-password');
    expect(new URL(page.url()).pathname).toBe('/family/');
    await page.waitForSelector('#status-banner[data-state="well"]');
    await page.waitForSelector('#live-status[data-state="live"]');
    expect(await text(page, '#status-text')).toBe('一切正常');
    expect(await text(page, '#last-movement')).toBe('最近一次活动：5 分前');
    expect(await page.getAttribute('#contacts a.call', 'href')).toBe('tel:13800138000');
    expect(await page.isVisible('#rhythm-motions')).toBe(true);
    expect(await page.isVisible('#progress-panel')).toBe(false);
    await screenshot(page, 'family-well');

    // SOS: the banner turns to "alarm in progress" and the tracker appears at "received".
    await h.sos(button, { opened: 1 });
    const id = h.opened[0]?.incident.id ?? '';
    await page.waitForSelector('#status-banner[data-state="alarm"]');
    await page.waitForSelector('#progress li[data-step="received"][data-current]');
    expect(await text(page, '#status-text')).toBe('正在处理报警');

    const post = async (token: string, action: string, body?: unknown) => {
      const a = await h?.api('POST', `/api/incidents/${id}/${action}`, { token, ...(body ? { body } : {}) });
      expect([action, a?.status]).toEqual([action, 200]);
    };
    clock.advance(20_000);
    await post(dispatcher, 'acknowledge');
    await page.waitForSelector('#progress li[data-step="taken"][data-current]');
    await post(dispatcher, 'assign', { responderId: 'r-1' });
    clock.advance(40_000);
    await post(responderUser.token, 'accept');
    await page.waitForSelector('#progress li[data-step="on-the-way"][data-current]');
    // The responder's phone sends a position 2 km away: the family sees the ETA (15 km/h: 8 min).
    const pos = await h.api('POST', `/api/incidents/${id}/position`, {
      token: responderUser.token,
      body: { lat: 31.2484, lon: 121.4737 },
    });
    expect(pos.status).toBe(200);
    await page.waitForSelector('#eta');
    expect(await text(page, '#eta')).toMatch(/^预计 \d+ 分钟后到达$/);
    await screenshot(page, 'family-alarm');

    clock.advance(8 * MIN);
    await post(responderUser.token, 'arrive');
    await page.waitForSelector('#progress li[data-step="on-site"][data-current]');
    await post(responderUser.token, 'resolve', {
      outcome: 'assisted_at_home',
      note: '老人按错了按钮，一切正常',
    });
    await page.waitForSelector('#progress li[data-step="resolved"][data-current]');
    await page.waitForSelector('#status-banner[data-state="well"]');
    expect(await text(page, '#outcome')).toBe('已在家中协助');
    expect(await text(page, `#past-incidents li[data-incident="${id}"]`)).toContain('已处理 · 已在家中协助');
    // Every step done, each with its time.
    expect(await page.locator('#progress li[data-done]').count()).toBe(5);
    await screenshot(page, 'family-resolved');

    await page.click('#lang-switch');
    expect(await text(page, '#status-text')).toBe('All well');
    expect(await text(page, '#outcome')).toBe('helped at home');
    expect(await text(page, '#progress li[data-step="taken"] .step-body > div')).toBe(
      'Taken by the dispatch center',
    );
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);

  it("switches households, words a device's health, keeps a status-only household's rhythm hidden, and marks away", async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const weak = await h.button('btn-2', 'hh-2');
    await furnish(h);
    await weak.heartbeat({ battery: 8 });
    await untilAsync(
      async () => (await h?.t.hub.alerts.alarms.store.list())?.some((a) => a.type === 'battery_low') ?? false,
      3000,
      'battery_low alarm',
    );
    await h.user('f.wang', 'family', ['hh-test', 'hh-2']);

    const { page, context, errors } = await newPage(browser, PHONE);
    await loginAs(page, h.t.httpUrl, 'f.wang', 'f.wang-password');
    // The first household of the user is hh-2, whose call button's battery is low.
    await page.waitForSelector('#status-banner[data-state="attention"]');
    expect(await text(page, '#household-picker option[value="hh-test"]')).toBe('幸福路 1号 3单元 502');
    expect(await text(page, '#device-health li[data-issue="battery_low"]')).toBe(
      '呼叫按钮电量低，请更换电池',
    );
    expect(await text(page, '#rhythm-status-only')).toContain('只与家人共享状态');
    expect(await page.locator('#rhythm-motions').count()).toBe(0);
    await page.click('#lang-switch');
    expect(await text(page, '#device-health li[data-issue="battery_low"]')).toBe(
      "The call button's battery is low",
    );
    await screenshot(page, 'family-attention-en');
    await page.click('#lang-switch');

    // Away: in hospital until tomorrow (the form's default), then back home.
    await page.selectOption('#household-picker', 'hh-test');
    await page.waitForSelector('#status-banner[data-state="well"]');
    await page.selectOption('#away-reason', 'hospital');
    await page.click('#away-submit');
    await page.waitForSelector('#away-status');
    expect(await text(page, '#away-status')).toContain('已标记外出（住院）');
    const away = await h.t.hub.alerts.away.status('hh-test');
    expect(away).toMatchObject({ away: true, declared: { reason: 'hospital', setBy: 'f.wang' } });
    expect((away.declared?.until ?? 0) - clock.now()).toBeGreaterThan(0);
    expect((away.declared?.until ?? 0) - clock.now()).toBeLessThan(3 * 86_400_000);
    await page.click('#away-end');
    await page.waitForSelector('#away-status', { state: 'detached' });
    expect((await h.t.hub.alerts.away.status('hh-test')).declared).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  }, 60_000);
});
