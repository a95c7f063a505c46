import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { SimButton, SimMotion, SimWristband } from '../simulators/device-types.ts';
import { MORNING, untilAsync } from './helpers/alerts.ts';
import { type Api, apiClient } from './helpers/api.ts';
import { launchBrowser, loginAs, newPage, screenshot } from './helpers/browser.ts';
import { startTestHub } from './helpers/hub.ts';

const SECOND = 1000;

/** A hub with a ManualClock and what a shift needs: households, residents, contacts, a dispatcher, a responder. */
async function startShift(clock: ManualClock) {
  // time frames every 200 ms: the pages learn the manual clock's jumps quickly
  const t = await startTestHub({ liveSyncIntervalMs: 200 }, { clock });
  const api = apiClient(t.httpUrl);
  const admin = await t.login();
  const call = async (method: string, path: string, body?: unknown, token = admin) => {
    const a = await api(method, path, { token, ...(body === undefined ? {} : { body }) });
    if (a.status >= 300) throw new Error(`${method} ${path}: ${a.status} ${a.text}`);
    return a.body as Record<string, unknown>;
  };
  const households = [
    {
      id: 'hh-1',
      address: '幸福路 12号 3单元 201室',
      grid: 'grid-1',
      name: '王秀英',
      year: 1941,
      note: '高血压',
    },
    {
      id: 'hh-2',
      address: '和平街 5号 1单元 102室',
      grid: 'grid-1',
      name: '李建国',
      year: 1938,
      note: '糖尿病',
    },
    {
      id: 'hh-3',
      address: '长江路 88号 7栋 601室',
      grid: 'grid-2',
      name: '张桂兰',
      year: 1945,
      note: '独居',
    },
  ];
  for (const hh of households) {
    await call('POST', '/api/households', {
      id: hh.id,
      address: hh.address,
      grid: hh.grid,
      location: { lat: 31.23 + households.indexOf(hh) * 0.01, lon: 121.47 },
    });
    await call('POST', `/api/households/${hh.id}/residents`, {
      id: `res-${hh.id}`,
      name: hh.name,
      birthYear: hh.year,
      careNotes: [hh.note],
    });
    await call('POST', `/api/households/${hh.id}/contacts`, {
      name: '王明',
      relation: '儿子',
      phone: '13912345678',
      priority: 1,
    });
  }
  await call('POST', '/api/stations', { id: 'st-1', name: '幸福路驿站', lat: 31.235, lon: 121.475 });
  await call('POST', '/api/users', { username: 'disp1', role: 'dispatcher', password: 'disp1-password' });
  await call('POST', '/api/users', { username: 'disp2', role: 'dispatcher', password: 'disp2-password' });
  const responderUser = await call('POST', '/api/users', {
    username: 'resp1',
    role: 'responder',
    password: 'resp1-password',
  });
  await call('POST', '/api/responders', {
    id: 'resp-1',
    name: '赵网格',
    kind: 'grid_worker',
    phone: '13800000001',
    grids: ['grid-1', 'grid-2'],
    stationId: 'st-1',
    userId: responderUser.id,
  });
  const responderToken = await t.login('resp1', 'resp1-password');
  const buttons: Array<{ end(): Promise<void> }> = [];
  return {
    t,
    api: api as Api,
    call,
    responderToken,
    /** a connected call button of a household */
    async button(householdId: string) {
      const id = `btn-${householdId}`;
      const created = await call('POST', '/api/devices', {
        id,
        householdId,
        type: 'button',
        room: 'bedroom',
      });
      const secret = String(created.secret);
      const b = await new SimButton({ url: t.mqttUrl, id, secret }).connect();
      buttons.push(b);
      return b;
    },
    /** a connected device of another type (motion sensor with its room, wristband) */
    async device<D extends SimMotion | SimWristband>(
      make: (o: { url: string; id: string; secret: string }) => D,
      id: string,
      householdId: string,
      room?: string,
    ): Promise<D> {
      const type = make({ url: '', id, secret: '' }).type;
      const created = await call('POST', '/api/devices', {
        id,
        householdId,
        type,
        ...(room ? { room } : {}),
      });
      const d = await make({ url: t.mqttUrl, id, secret: String(created.secret) }).connect();
      buttons.push(d);
      return d as D;
    },
    /** the id of the SOS incident of a household (waits until it exists) */
    async incidentOf(householdId: string): Promise<string> {
      let id: string | undefined;
      await untilAsync(
        async () => {
          // the household's SOS (a silent wristband may have opened another incident meanwhile)
          id = (await t.hub.alerts.incidents.list({ householdId, active: true })).find(
            (i) => i.alarmType === 'sos',
          )?.id;
          return id !== undefined;
        },
        3000,
        `incident of ${householdId}`,
      );
      return id as string;
    },
    async stop() {
      for (const b of buttons) await b.end();
      await t.stop();
    },
  };
}
type Shift = Awaited<ReturnType<typeof startShift>>;

const row = (id: string) => `#queue [data-incident-id="${id}"]`;

/** A dispatcher's page, logged in and live; `prepare` runs on the new page before it loads anything. */
async function openDispatcher(
  browser: Browser,
  s: Shift,
  user = 'disp1',
  prepare?: (page: Page) => Promise<void>,
) {
  const p = await newPage(browser);
  p.page.setDefaultTimeout(8000); // a step that hangs names its selector, well inside the test's time
  await prepare?.(p.page);
  await loginAs(p.page, s.t.httpUrl, user, `${user}-password`);
  expect(new URL(p.page.url()).pathname).toBe('/dispatch/');
  await p.page.waitForSelector('#live-status[data-state="live"]');
  return p;
}

/**
 * Counts the tones a page starts (Web Audio sources: the alert's beeps), as the dispatcher would hear
 * them, from outside the page's code: the browser's own AudioScheduledSourceNode#start reports to the test.
 */
async function hearTones(page: Page): Promise<() => number> {
  let tones = 0;
  await page.exposeFunction('toneStarted', () => {
    tones++;
  });
  await page.addInitScript(() => {
    // the browser's globals, untyped here (the tests compile without the DOM library)
    type Start = (this: unknown, ...args: unknown[]) => void;
    const g = globalThis as unknown as {
      AudioScheduledSourceNode: { prototype: { start: Start } };
      toneStarted(): void;
    };
    const proto = g.AudioScheduledSourceNode.prototype;
    const start = proto.start;
    proto.start = function (...args) {
      g.toneStarted();
      return start.apply(this, args);
    };
  });
  return () => tones;
}

/**
 * Passes a page's live channel (/api/live) through a Playwright WebSocket route, so that the test can cut
 * the connection as the network would: `cut()` closes the hub's side, and the page sees its socket close.
 */
async function cuttableLive(page: Page): Promise<{ cut(): Promise<void>; connections(): number }> {
  const servers: WebSocketRoute[] = [];
  await page.routeWebSocket(
    (url) => url.pathname === '/api/live',
    (ws) => {
      servers.push(ws.connectToServer());
    },
  );
  return {
    async cut() {
      await servers.at(-1)?.close();
    },
    connections: () => servers.length,
  };
}

// Browser steps on a shared 2-core machine: each test gets a minute.
describe('dispatcher console', { timeout: 60_000 }, () => {
  let browser: Browser;
  let s: Shift | null = null;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await s?.stop();
    s = null;
  });

  it('shows an SOS on two dispatchers’ screens within 1 s; acknowledge, assign, accept, arrive, resolve', async () => {
    const clock = new ManualClock(MORNING);
    s = await startShift(clock);
    let tones = () => 0;
    const one = await openDispatcher(browser, s, 'disp1', async (page) => {
      tones = await hearTones(page);
    });
    const two = await openDispatcher(browser, s, 'disp2');
    // sound: the page asks once; after the click the banner is gone
    await one.page.click('#sound-banner');
    await one.page.waitForSelector('#sound-banner', { state: 'hidden' });

    const button = await s.button('hh-1');
    // The last hours of the household: movement in two rooms, heart rate (the incident view's charts).
    const living = await s.device((o) => new SimMotion(o), 'pir-living', 'hh-1', 'living');
    const bedroom = await s.device((o) => new SimMotion(o), 'pir-bedroom', 'hh-1', 'bedroom');
    const band = await s.device((o) => new SimWristband(o), 'wb-hh-1', 'hh-1');
    // 4 h in 10-min steps: every device talks within its heartbeat deadline (no silence incidents)
    for (let k = 0; k < 24; k++) {
      clock.advance(10 * 60 * SECOND);
      if (k % 3 === 0) for (let n = 0; n <= k % 4; n++) await (k % 2 ? living : bedroom).motion();
      await band.vitals({ heartRate: 68 + (k % 5) * 3, spo2: 97 });
      await button.heartbeat();
    }
    expect(await one.page.locator('#queue [data-incident-id]').count()).toBe(0);
    const shown = (page: Page) =>
      page.waitForSelector('#queue [data-incident-id][data-class="emergency"]', { timeout: 1000 });
    // The requirement itself: within one second of the device's message, on every dispatcher's screen.
    await Promise.all([button.sos(), shown(one.page), shown(two.page)]);
    const id = await s.incidentOf('hh-1');
    for (const page of [one.page, two.page]) {
      expect(await page.getAttribute(row(id), 'data-class')).toBe('emergency');
      expect(await page.textContent(`${row(id)} .type`)).toBe('紧急呼叫');
      expect(await page.textContent(`${row(id)} .address`)).toBe('幸福路 12号 3单元 201室');
    }
    // the new emergency sounds on the screen whose sound was enabled: one alert, three beeps
    await expect.poll(tones, { timeout: 8000 }).toBeGreaterThanOrEqual(3);

    // A second, less urgent incident sorts below the emergency.
    await s.t.hub.alerts.alarms.raise({
      householdId: 'hh-3',
      residentId: 'res-hh-3',
      type: 'battery_low',
      class: 'non_emergency',
      severity: 'low',
      evidence: [
        {
          kind: 'message',
          at: clock.now(),
          deviceId: 'btn-hh-3',
          deviceType: 'button',
          room: null,
          channel: 'telemetry',
          event: null,
          values: { battery: 8 },
        },
      ],
      explanation: { zh: '呼叫按钮电量 8%', en: 'call button battery at 8 %' },
    });
    await one.page.waitForSelector('.queue .row:nth-child(2)[data-class="non_emergency"]');
    await screenshot(one.page, 'dispatch-queue');

    // One action to acknowledge: the row's button; the incident view opens.
    await one.page.click(`${row(id)} [data-ack]`);
    await one.page.waitForSelector('#incident-state[data-state="acknowledged"]');
    await two.page.waitForSelector(`${row(id)}[data-state="acknowledged"]`);
    expect(await one.page.textContent('#resident .name')).toBe('王秀英');
    expect(await one.page.textContent('#contacts .phone')).toBe('13912345678');
    expect(await one.page.textContent('#address')).toBe('幸福路 12号 3单元 201室');
    expect(await one.page.locator('#devices [data-device-id="btn-hh-1"]').count()).toBe(1);
    await one.page.waitForSelector('#chart-activity .uplot');

    // Assign from the suggestions (with distance and ETA); the responder accepts with their own token.
    await one.page.click('[id="assign-resp-1"]');
    await one.page.waitForSelector('#pending');
    expect(await one.page.textContent('#pending')).toContain('赵网格');
    expect(await one.page.textContent('#suggestions [data-responder-id="resp-1"]')).toContain('km');
    await screenshot(one.page, 'dispatch-incident');
    const accepted = await s.api('POST', `/api/incidents/${id}/accept`, { token: s.responderToken });
    expect(accepted.status).toBe(200);
    await one.page.waitForSelector('#incident-state[data-state="dispatched"]');
    await one.page.click('#arrive');
    await one.page.waitForSelector('#incident-state[data-state="on_site"]');
    await one.page.selectOption('#outcome', 'assisted_at_home');
    await one.page.fill('#resolve-note', '老人摔倒后已扶起，无外伤');
    // another dispatcher's comment redraws the view live: what was typed stays
    await s.call('POST', `/api/incidents/${id}/comment`, { text: '已通知家属' });
    await one.page.waitForSelector('#timeline li:has-text("已通知家属")');
    expect(await one.page.inputValue('#resolve-note')).toBe('老人摔倒后已扶起，无外伤');
    await one.page.click('#resolve');
    await one.page.waitForSelector('#incident-state[data-state="resolved"]');
    // Resolved: off both queues, and the note is in the timeline.
    await one.page.waitForSelector(row(id), { state: 'detached' });
    await two.page.waitForSelector(row(id), { state: 'detached' });
    // the view re-renders from the API after the resolve: wait for the timeline that has it
    await one.page.waitForSelector('#timeline li:has-text("老人摔倒后已扶起，无外伤")');
    expect(await one.page.textContent('#timeline')).toContain('上门协助');
    for (const action of ['acknowledge', 'assign', 'accept', 'arrive', 'resolve']) {
      expect(await one.page.locator(`#timeline [data-action="${action}"]`).count()).toBe(1);
    }
    expect(one.errors).toEqual([]);
    expect(two.errors).toEqual([]);
    await one.context.close();
    await two.context.close();
  });

  it('turns the countdown calm → warn → urgent → overdue as the clock moves, and marks the escalation', async () => {
    const clock = new ManualClock(MORNING);
    s = await startShift(clock);
    const { page, context, errors } = await openDispatcher(browser, s);
    const button = await s.button('hh-2');
    await button.sos();
    const id = await s.incidentOf('hh-2');
    const countdown = `${row(id)} .countdown`;
    await page.waitForSelector(`${countdown}[data-level="calm"]`);
    expect(await page.getAttribute(row(id), 'data-escalated')).toBeNull();
    // An emergency must be acknowledged within 60 s: warn at ≤ 30 s left, urgent at ≤ 12 s, then overdue.
    clock.advance(35 * SECOND);
    await page.waitForSelector(`${countdown}[data-level="warn"]`);
    // the ladder's first step (30 s: re-alert the dispatchers) marks the row
    await page.waitForSelector(`${row(id)}[data-escalated] .escalated:not([hidden])`);
    clock.advance(15 * SECOND);
    await page.waitForSelector(`${countdown}[data-level="urgent"]`);
    clock.advance(15 * SECOND);
    await page.waitForSelector(`${countdown}[data-level="overdue"]`);
    expect(await page.textContent(countdown)).toMatch(/^−00:0\d$/);
    await screenshot(page, 'dispatch-overdue');
    // The same queue on a wall screen (2560×1440): larger type, same layout.
    const wall = await newPage(browser, { width: 2560, height: 1440 });
    await loginAs(wall.page, s.t.httpUrl, 'disp2', 'disp2-password');
    // a page loaded after the escalation shows its mark too (from the list's lastEscalation)
    await wall.page.waitForSelector(`${row(id)}[data-escalated] .escalated:not([hidden])`);
    await wall.page.click(`${row(id)}`);
    await wall.page.waitForSelector('#incident-state');
    await screenshot(wall.page, 'dispatch-wall');
    expect(wall.errors).toEqual([]);
    await wall.context.close();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('switches to English and back', async () => {
    const clock = new ManualClock(MORNING);
    s = await startShift(clock);
    const { page, context, errors } = await openDispatcher(browser, s);
    const button = await s.button('hh-1');
    await button.sos();
    const id = await s.incidentOf('hh-1');
    await page.waitForSelector(row(id));
    expect(await page.textContent('#queue-title [data-i18n]')).toBe('警情队列');
    await page.click(row(id));
    await page.waitForSelector('#ack');
    await page.click('#lang-switch');
    expect(await page.textContent('#queue-title [data-i18n]')).toBe('Incident queue');
    expect(await page.textContent(`${row(id)} .type`)).toBe('SOS call');
    expect(await page.textContent(`${row(id)} [data-ack]`)).toBe('Acknowledge');
    expect(await page.textContent('#ack')).toBe('Acknowledge');
    expect(await page.textContent('#sound-banner')).toContain('enable the sound');
    await screenshot(page, 'dispatch-english');
    await page.click('#lang-switch');
    expect(await page.textContent(`${row(id)} .type`)).toBe('紧急呼叫');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('reconnects in the middle of an incident and shows what was raised while it was away', async () => {
    const clock = new ManualClock(MORNING);
    s = await startShift(clock);
    let live = { cut: async () => {}, connections: () => 0 };
    const { page, context, errors } = await openDispatcher(browser, s, 'disp1', async (p) => {
      live = await cuttableLive(p);
    });
    const first = await s.button('hh-1');
    const second = await s.button('hh-2');
    await first.sos();
    const id1 = await s.incidentOf('hh-1');
    await page.click(`${row(id1)} [data-ack]`);
    await page.waitForSelector('#incident-state[data-state="acknowledged"]');

    // the network drops the live channel: the page says so
    await live.cut();
    await page.waitForSelector('#live-status[data-state="offline"]');
    await second.sos(); // while the console is away
    const id2 = await s.incidentOf('hh-2');
    // and a change to the open incident while away
    await s.call('POST', `/api/incidents/${id1}/comment`, { text: '已电话联系家属' });
    await page.waitForSelector('#live-status[data-state="live"]', { timeout: 10_000 });
    expect(live.connections()).toBe(2); // it came back on a new socket
    await page.waitForSelector(row(id2));
    await page.waitForSelector('#timeline [data-action="comment"]');
    expect(await page.textContent('#timeline')).toContain('已电话联系家属');
    expect(await page.getAttribute(row(id1), 'data-state')).toBe('acknowledged');
    expect(errors).toEqual([]);
    await context.close();
  });
});
