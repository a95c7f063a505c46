import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HOPS, PATH_POINTS, type PathPoint } from '../alerts/incidents/alarm-path.ts';
import { ManualClock } from '../kernel/clock.ts';
import { SimButton } from '../simulators/device-types.ts';
import { MIN, MORNING, untilAsync } from './helpers/alerts.ts';
import { type Api, apiClient, userWithToken } from './helpers/api.ts';
import { launchBrowser, loginAs, newPage, screenshot } from './helpers/browser.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';
import { sample } from './helpers/metrics.ts';

const SECOND = 1000;

/**
 * A ManualClock whose every reading moves it on by 1 ms: points of the path recorded one after the other
 * get distinct times in the order they were recorded (on a plain ManualClock all the points inside one
 * group commit would share a millisecond, and an order mixed up there would go unnoticed).
 */
class TickingClock extends ManualClock {
  override now(): number {
    const at = super.now();
    this.set(at + 1);
    return at;
  }
}

interface PathEntry {
  kind: string;
  at: number;
  point?: PathPoint;
  sincePreviousMs?: number | null;
  evidence?: { at: number };
}
type Detail = { class: string; timeline: PathEntry[] };

/** The alarm path's points of an incident as its timeline (GET /api/incidents/:id) lists them. */
async function pathOf(api: Api, token: string, id: string): Promise<PathEntry[]> {
  const answer = await api('GET', `/api/incidents/${id}`, { token });
  expect(answer.status).toBe(200);
  return (answer.body as Detail).timeline.filter((e) => e.kind === 'path');
}

describe('the alarm path, hop by hop', { timeout: 90_000 }, () => {
  let browser: Browser;
  let t: TestHub | null = null;
  let h: IncidentsHub | null = null;
  const devices: SimButton[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    for (const d of devices.splice(0)) await d.end();
    await t?.stop();
    await h?.t.stop();
    t = null;
    h = null;
  });

  it("measures one SOS from the button's PUBLISH to the responder on site: timeline, /metrics, supervisor", async () => {
    const clock = new TickingClock(MORNING);
    t = await startTestHub({ liveSyncIntervalMs: 200 }, { clock });
    const hub = t;
    const api = apiClient(t.httpUrl);
    const admin = await t.login();
    const post = async (path: string, body: unknown, token = admin) => {
      const a = await api('POST', path, { token, body });
      if (a.status >= 300) throw new Error(`${path}: ${a.status} ${a.text}`);
      return a.body as Record<string, unknown>;
    };
    await post('/api/households', { id: 'hh-1', address: '幸福路 12号 3单元 201室', grid: 'grid-1' });
    const dispatcher = await userWithToken(t, api, admin, { username: 'disp1', role: 'dispatcher' });
    await userWithToken(t, api, admin, { username: 'sup1', role: 'supervisor' });
    const responderUser = await post('/api/users', {
      username: 'resp1',
      role: 'responder',
      password: 'resp1-password',
    });
    await post('/api/responders', {
      id: 'resp-1',
      name: '赵网格',
      kind: 'grid_worker',
      phone: '13800000001',
      grids: ['grid-1'],
      stationId: null,
      userId: responderUser.id,
    });
    const responder = await t.login('resp1', 'resp1-password');
    const created = await post('/api/devices', { id: 'btn-hh-1', householdId: 'hh-1', type: 'button' });
    const button = await new SimButton({
      url: t.mqttUrl,
      id: 'btn-hh-1',
      secret: String(created.secret),
    }).connect();
    devices.push(button);

    // The dispatcher's page is open when the button is pressed (a real MQTT PUBLISH, QoS 1).
    const disp = await newPage(browser);
    disp.page.setDefaultTimeout(8000);
    await loginAs(disp.page, t.httpUrl, 'disp1', 'disp1-password');
    await disp.page.waitForSelector('#live-status[data-state="live"]');
    await button.sos();
    let id = '';
    await untilAsync(
      async () => {
        id = (await hub.hub.alerts.incidents.list({ householdId: 'hh-1' }))[0]?.id ?? '';
        return id !== '';
      },
      3000,
      'the SOS incident',
    );
    const row = `#queue [data-incident-id="${id}"]`;
    await disp.page.waitForSelector(row);
    // The page reports that it has shown the incident, on its own.
    await untilAsync(
      async () => (await pathOf(api, dispatcher, id)).some((e) => e.point === 'shown'),
      5000,
      'the page to report the incident shown',
    );

    // The dispatcher acknowledges on the page 20 s later; a responder is assigned and accepts 90 s after
    // that (with their own token); they are at the door 9 min later.
    await clock.advanceAsync(20 * SECOND);
    await disp.page.click(`${row} [data-ack]`);
    await disp.page.waitForSelector('#incident-state[data-state="acknowledged"]');
    await post(`/api/incidents/${id}/assign`, { responderId: 'resp-1' }, dispatcher);
    await clock.advanceAsync(90 * SECOND);
    expect((await api('POST', `/api/incidents/${id}/accept`, { token: responder })).status).toBe(200);
    await clock.advanceAsync(9 * MIN);
    expect((await api('POST', `/api/incidents/${id}/arrive`, { token: responder })).status).toBe(200);

    // Every point, once, in the order of the path, each later than the one before; the hops as measured.
    const path = await pathOf(api, dispatcher, id);
    expect(path.map((e) => e.point)).toEqual([...PATH_POINTS]);
    for (let k = 1; k < path.length; k++) {
      const [before, now] = [path[k - 1] as PathEntry, path[k] as PathEntry];
      expect(now.at).toBeGreaterThan(before.at);
      expect(now.sincePreviousMs).toBe(now.at - before.at);
    }
    const at = Object.fromEntries(path.map((e) => [e.point, e.at])) as Record<PathPoint, number>;
    const detail = (await api('GET', `/api/incidents/${id}`, { token: dispatcher })).body as Detail;
    // received is the message's receipt, as its evidence says; the steps above as the clock moved
    expect(detail.timeline.find((e) => e.kind === 'evidence')?.evidence?.at).toBe(at.received);
    expect(at.acknowledged - at.shown).toBeGreaterThanOrEqual(20 * SECOND);
    expect(at.accepted - at.acknowledged).toBeGreaterThanOrEqual(90 * SECOND);
    expect(at.on_site - at.accepted).toBeGreaterThanOrEqual(9 * MIN);
    // The dispatcher's timeline shows the points too (newest first).
    await disp.page.waitForSelector('#timeline [data-kind="path"][data-point="on_site"]');
    expect(await disp.page.locator('#timeline [data-kind="path"]').count()).toBe(PATH_POINTS.length);
    expect(await disp.page.textContent('#timeline [data-point="shown"]')).toContain('调度台显示');

    // /metrics: one observation of each hop of this emergency; no id in a label.
    const metrics = await (await fetch(`${t.httpUrl}/metrics`)).text();
    expect(metrics).toContain('# TYPE hub_alarm_path_seconds histogram');
    for (const hop of HOPS) {
      expect(sample(metrics, 'hub_alarm_path_seconds_count', { hop: hop.name, class: 'emergency' })).toBe(1);
    }
    // the on-site hop (9 min) falls in the 10-minute bucket, not in the 5-minute one
    const bucket = (le: string) =>
      sample(metrics, 'hub_alarm_path_seconds_bucket', { hop: 'accepted_to_on_site', le });
    expect([bucket('300'), bucket('600')]).toEqual([0, 1]);
    expect(metrics).not.toMatch(/hub_alarm_path_seconds\w*\{[^}]*(hh-1|btn-hh-1|inc-)/);

    // The supervisor's page: today's p50/p99 per hop (one emergency: both are its own times).
    const sup = await newPage(browser);
    sup.page.setDefaultTimeout(8000);
    await loginAs(sup.page, t.httpUrl, 'sup1', 'sup1-password');
    await sup.page.waitForSelector('#alarm-path-table');
    for (const hop of HOPS) {
      const cells = `#alarm-path-table [data-hop="${hop.name}"]`;
      expect(await sup.page.textContent(`${cells} .count`)).toBe('1');
      expect(await sup.page.textContent(`${cells} .p50`)).not.toBe('—');
    }
    expect(await sup.page.textContent('#alarm-path-table [data-hop="shown_to_acknowledged"] .p99')).toBe(
      `${((at.acknowledged - at.shown) / 1000).toFixed(1)} 秒`,
    );
    expect(await sup.page.textContent('#alarm-path-table [data-hop="accepted_to_on_site"] .p50')).toBe(
      '9 分 0 秒',
    );
    expect(await sup.page.textContent('#alarm-path-table [data-hop="received_to_on_site"] .count')).toBe('1');
    await sup.page.locator('#alarm-path').scrollIntoViewIfNeeded();
    await screenshot(sup.page, 'supervisor-alarm-path');
    expect(disp.errors).toEqual([]);
    expect(sup.errors).toEqual([]);
    await disp.context.close();
    await sup.context.close();
  });

  it('keeps the first screen report, and refuses a report from whoever may not see the incident', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const { api } = h;
    const one = await h.user('disp1', 'dispatcher');
    const two = await h.user('disp2', 'dispatcher');
    await h.t.hub.registry.households.upsert({ id: 'hh-other', address: '和平街 5号', grid: 'grid-2' });
    const otherFamily = await h.user('fam-other', 'family', ['hh-other']);
    const ownFamily = await h.user('fam-own', 'family', ['hh-test']);
    const responder = await h.user('resp1', 'responder');
    await h.responder('resp-1', responder.id);
    const button = await h.button('btn-1');
    devices.push(button);
    await h.sos(button, { opened: 1 });
    const id = h.opened[0]?.incident.id ?? '';
    const seen = (token?: string, incident = id) =>
      api('POST', `/api/incidents/${incident}/seen`, token ? { token } : {});

    const first = await seen(one.token);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ incidentId: id, shownAt: MORNING, counted: true });
    clock.advance(5 * SECOND);
    // A second screen later: answered the first one's time, nothing moves.
    expect((await seen(two.token)).body).toEqual({ incidentId: id, shownAt: MORNING, counted: false });
    expect((await seen(one.token)).body).toEqual({ incidentId: id, shownAt: MORNING, counted: false });

    // Not the dispatch center's: a family of another household gets 404 as if it did not exist, the
    // household's own family and a responder 403, nobody logged in 401, an unknown incident 404.
    // (Dispatchers are not scoped by grid in this hub: every dispatch-center role sees every grid.)
    clock.advance(5 * SECOND);
    expect((await seen(otherFamily.token)).status).toBe(404);
    expect((await seen(ownFamily.token)).status).toBe(403);
    expect((await seen(responder.token)).status).toBe(403);
    expect((await seen()).status).toBe(401);
    expect((await seen(one.token, 'inc-nowhere')).status).toBe(404);

    const path = await pathOf(api, one.token, id);
    expect(path.find((e) => e.point === 'shown')?.at).toBe(MORNING);
    expect(
      h.t.hub.metrics.value('hub_alarm_path_seconds', { hop: 'committed_to_shown', class: 'emergency' }),
    ).toBe(1);
  });

  it('starts the path of an alarm with no PUBLISH behind it at the rule that fired', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    // a button's SOS first: the message's cause must not stick to what is raised after it
    const button = await h.button('btn-1');
    devices.push(button);
    await h.sos(button, { opened: 1 });
    clock.advance(MIN);
    await h.t.hub.alerts.alarms.raise({
      householdId: 'hh-test',
      residentId: 'res-1',
      type: 'no_movement',
      class: 'wellness',
      severity: 'medium',
      evidence: [
        { kind: 'silence', at: clock.now(), since: null, deviceId: null, room: null, what: 'motion' },
      ],
      explanation: { zh: '长时间无活动', en: 'no movement' },
    });
    await untilAsync(async () => h?.opened.length === 2, 3000, 'the second incident');
    const sos = await pathOf(h.api, h.adminToken, h.opened[0]?.incident.id ?? '');
    const quiet = await pathOf(h.api, h.adminToken, h.opened[1]?.incident.id ?? '');
    expect(sos.map((e) => e.point)).toEqual(['received', 'rule_fired', 'opened', 'committed']);
    expect(quiet.map((e) => e.point)).toEqual(['rule_fired', 'opened', 'committed']);
    expect(quiet[0]?.at).toBe(MORNING + MIN);
    expect(quiet[0]?.sincePreviousMs).toBeNull();
  });
});
