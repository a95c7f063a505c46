import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { topics } from '../kernel/contract.ts';
import { until } from '../simulators/device.ts';
import { HOUR, MIN, MORNING } from './helpers/alerts.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';
import { connectLive, type LiveClient, type LiveFrame, liveUpgradeStatus } from './helpers/live.ts';

const incidentOf = (f: LiveFrame) => (f.data as { incident?: Record<string, unknown> }).incident ?? {};

describe('live channel /api/live', () => {
  let h: IncidentsHub | null = null;
  let t: TestHub | null = null;
  const clients: LiveClient[] = [];
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    await h?.t.stop();
    await t?.stop();
    h = null;
    t = null;
  });
  const live = async (url: string, opts: Parameters<typeof connectLive>[1]) => {
    const c = await connectLive(url, opts);
    clients.push(c);
    return c;
  };

  it('says hello with the hub clock and the role allowlist, and pushes a new SOS incident to every dispatcher', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const d1 = await h.user('disp-1', 'dispatcher');
    const d2 = await h.user('disp-2', 'dispatcher');
    const a = await live(h.t.httpUrl, { token: d1.token });
    const b = await live(h.t.httpUrl, { token: d2.token });
    const hello = a.frames[0];
    expect(hello).toMatchObject({
      type: 'hello',
      serverTime: MORNING,
      user: { username: 'disp-1', role: 'dispatcher' },
    });
    expect(hello?.events).toEqual(
      expect.arrayContaining(['incidentOpened', 'incidentUpdated', 'notification']),
    );
    expect(hello?.events).not.toContain('inputQuarantined');

    await h.sos(await h.button('btn-1'), { opened: 1 });
    for (const c of [a, b]) {
      const f = await c.waitFor((x) => x.event === 'incidentOpened', 'incidentOpened');
      expect(f.at).toBe(MORNING);
      expect(incidentOf(f)).toMatchObject({ householdId: 'hh-test', alarmType: 'sos', state: 'open' });
      expect(incidentOf(f).stages).toMatchObject({ acknowledge: { dueAt: MORNING + MIN, doneAt: null } });
      // the notification channel tells the dispatchers in both languages
      const n = await c.waitFor((x) => x.event === 'notification', 'notification');
      expect(n.data).toMatchObject({
        event: 'incident_opened',
        text: { zh: expect.any(String), en: expect.any(String) },
      });
    }
  });

  it('refuses an upgrade without a session (401) or from a foreign browser origin (403); accepts the cookie from its own origin', async () => {
    t = await startTestHub();
    const token = await t.login();
    const host = new URL(t.httpUrl).host;
    expect(await liveUpgradeStatus(t.httpUrl, {})).toBe(401);
    expect(await liveUpgradeStatus(t.httpUrl, { token: 'not-a-session' })).toBe(401);
    expect(await liveUpgradeStatus(t.httpUrl, { token, origin: 'http://evil.example' })).toBe(403);
    expect(
      await liveUpgradeStatus(t.httpUrl, { cookie: `hub_session=${token}`, origin: `http://${host}` }),
    ).toBe(101);
    expect(t.hub.metrics.value('hub_live_refused_total', { reason: 'origin' })).toBe(1);
  });

  it('answers ping, answers a bad frame with a coded error, and closes on a frame above the size limit (1009)', async () => {
    t = await startTestHub({ liveMaxMessageBytes: 1024 });
    const c = await live(t.httpUrl, { token: await t.login() });
    c.ws.send(JSON.stringify({ type: 'ping' }));
    await c.waitFor((f) => f.type === 'pong', 'pong');
    c.ws.send('{"type":"subscribe","all":true}');
    const err = await c.waitFor((f) => f.type === 'error', 'error frame');
    expect(err.code).toBe('HUB_ERR_LIVE_BAD_FRAME');
    c.ws.send('x'.repeat(2048));
    expect((await c.closed).code).toBe(1009);
  });

  it('closes with 4001 when the session expires on the hub clock, and at the next sync after a logout', async () => {
    const clock = new ManualClock(MORNING);
    t = await startTestHub({ liveSyncIntervalMs: 100 }, { clock });
    const expiring = await live(t.httpUrl, { token: await t.login() });
    const hello = expiring.frames[0] as unknown as { sessionExpiresAt: number };
    await clock.advanceAsync(hello.sessionExpiresAt - MORNING - 1000);
    await new Promise((r) => setTimeout(r, 300));
    expect(expiring.ws.readyState).toBe(expiring.ws.OPEN);
    // the time frames carry the hub's clock, so the consoles' countdowns follow it
    await expiring.waitFor((f) => f.type === 'time' && f.serverTime === clock.now(), 'time frame');
    await clock.advanceAsync(1000);
    expect((await expiring.closed).code).toBe(4001);

    const token = await t.login();
    const loggedOut = await live(t.httpUrl, { token });
    const out = await fetch(`${t.httpUrl}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(out.status).toBeLessThan(300);
    expect((await loggedOut.closed).code).toBe(4001);
  });

  it("filters by role: a family sees its own household's incident in family form only; a responder only the job assigned to them", async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    await h.t.hub.registry.households.upsert({ id: 'hh-other', address: 'other 幸福路 2号', grid: 'grid-1' });
    const famA = await h.user('fam-a', 'family', ['hh-test']);
    const famB = await h.user('fam-b', 'family', ['hh-other']);
    const r1 = await h.user('resp-1', 'responder');
    const r2 = await h.user('resp-2', 'responder');
    await h.responder('r-1', r1.id);
    await h.responder('r-2', r2.id);
    const dispatcher = await h.user('disp-1', 'dispatcher');
    const a = await live(h.t.httpUrl, { token: famA.token });
    const b = await live(h.t.httpUrl, { token: famB.token });
    const one = await live(h.t.httpUrl, { token: r1.token });
    const two = await live(h.t.httpUrl, { token: r2.token });
    const disp = await live(h.t.httpUrl, { token: dispatcher.token });

    await h.sos(await h.button('btn-1'), { opened: 1 });
    const id = h.opened[0]?.incident.id ?? '';
    const opened = await a.waitFor((f) => f.event === 'incidentOpened', 'family incidentOpened');
    expect(Object.keys(incidentOf(opened)).sort()).toEqual(
      [
        'alarmType',
        'class',
        'closedAt',
        'explanation',
        'householdId',
        'id',
        'openedAt',
        // the family's banner tells "she pressed cancel at 09:09" from a plain alarm (issue 24, item 1)
        'residentCancelledAt',
        'stages',
        'state',
        'updatedAt',
      ].sort(),
    );
    await a.waitFor((f) => f.event === 'householdChanged', 'family householdChanged');

    const post = (path: string, token: string, body?: unknown) =>
      h?.api('POST', `/api/incidents/${id}/${path}`, { token, ...(body ? { body } : {}) });
    await post('acknowledge', dispatcher.token);
    // The family is told the progress in its own words (the router decides once per event: written to
    // the outbox in the transaction, told to the consoles after commit).
    const progress = await a.waitFor(
      (f) => f.event === 'notification' && (f.data as { event?: string }).event === 'incident_progress',
      'family progress notification',
    );
    expect(progress.data).toMatchObject({
      incidentId: id,
      audience: ['family'],
      text: { en: expect.stringContaining('received') },
    });
    await post('assign', dispatcher.token, { responderId: 'r-1' });
    const job = await one.waitFor((f) => f.event === 'incidentUpdated', 'responder job');
    expect(incidentOf(job)).toMatchObject({ id, pendingResponderId: 'r-1' });
    await post('assign', dispatcher.token, { responderId: 'r-2' });
    await one.waitFor((f) => f.event === 'jobWithdrawn', 'jobWithdrawn');
    await two.waitFor((f) => f.event === 'incidentUpdated', 'second responder job');
    await disp.waitFor(
      (f) => f.event === 'incidentUpdated' && incidentOf(f).pendingResponderId === 'r-2',
      'dispatcher update',
    );
    await a.waitFor(
      (f) => f.event === 'incidentUpdated' && incidentOf(f).state === 'acknowledged',
      'family progress',
    );

    // nothing of hh-test reached family B, and responder 2 saw nothing before its assignment
    expect(b.frames.filter((f) => f.type === 'event')).toEqual([]);
    expect(
      two.events().every((f) => incidentOf(f).pendingResponderId === 'r-2' || f.event === 'notification'),
    ).toBe(true);
    expect(one.events('incidentOpened')).toEqual([]);
  });

  it('tells supervisors about quarantined input and not dispatchers', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const sup = await live(h.t.httpUrl, { token: (await h.user('sup-1', 'supervisor')).token });
    const disp = await live(h.t.httpUrl, { token: (await h.user('disp-1', 'dispatcher')).token });
    const button = await h.button('btn-1');
    button.client.publish(topics.device('btn-1', 'event'), 'not json', { qos: 1 });
    await sup.waitFor((f) => f.event === 'inputQuarantined', 'inputQuarantined');
    await clock.advanceAsync(HOUR);
    await new Promise((r) => setTimeout(r, 200));
    expect(disp.events('inputQuarantined')).toEqual([]);
    await until(() => h?.t.hub.metrics.value('hub_live_connections') === 2, 1000, 'two consoles counted');
  });
});
