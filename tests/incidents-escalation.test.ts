import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { MIN, MORNING } from './helpers/alerts.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

const S = 1000;

describe('incidents: the escalation ladder on the persisted timers', () => {
  let h: IncidentsHub | null = null;
  const dirs: string[] = [];
  afterEach(async () => {
    await h?.t.stop();
    h = null;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** The SOS incident's escalations (a silent button may open a non-emergency incident of its own). */
  const sosSteps = (hub: IncidentsHub) => hub.escalated.filter((e) => e.incident.alarmType === 'sos');
  const steps = (hub: IncidentsHub) => sosSteps(hub).map((e) => [e.step, e.audience, e.at - MORNING, e.late]);
  /** The steps still to fire, through the incidents' interface (their persisted timers, soonest first). */
  const pendingSteps = (hub: IncidentsHub, id: string) => hub.t.hub.alerts.incidents.pendingSteps(id);

  async function openSos(hub: IncidentsHub): Promise<string> {
    await hub.sos(await hub.button('btn-1'), { opened: 1 });
    const id = hub.opened[0]?.incident.id;
    if (!id) throw new Error('no incident');
    return id;
  }

  it('fires each step at its time and exactly once, with its audience, and records the missed deadlines', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const id = await openSos(h);
    await h.responder('r-1', null);
    const act = (path: string, body?: unknown) =>
      h?.api('POST', `/api/incidents/${id}/${path}`, { token: h.adminToken, ...(body ? { body } : {}) });

    await clock.advanceAsync(29 * S);
    expect(sosSteps(h)).toEqual([]);
    await clock.advanceAsync(1 * S);
    expect(steps(h)).toEqual([['unacknowledged_30s', ['dispatchers'], 30 * S, false]]);
    await clock.advanceAsync(29 * S);
    expect(sosSteps(h)).toHaveLength(1);
    await clock.advanceAsync(1 * S);
    expect(steps(h).at(-1)).toEqual(['unacknowledged_60s', ['supervisor'], 60 * S, false]);
    expect((await h.incident(id)).stages.acknowledge).toMatchObject({ met: false, doneAt: null });
    await clock.advanceAsync(MIN);
    expect(steps(h).at(-1)).toEqual(['unacknowledged_2m', ['contacts'], 2 * MIN, false]);

    await clock.advanceAsync(30 * S); // 2:30: acknowledged, late
    expect((await act('acknowledge'))?.status).toBe(200);
    expect((await h.incident(id)).stages.acknowledge).toMatchObject({
      doneAt: MORNING + 150 * S,
      met: false,
    });
    expect(await pendingSteps(h, id)).toEqual(['not_accepted_3m', 'not_on_site_10m', 'breach_15m']);
    await clock.advanceAsync(30 * S);
    expect(steps(h).at(-1)).toEqual(['not_accepted_3m', ['supervisor'], 3 * MIN, false]);
    expect((await h.incident(id)).stages.accept).toMatchObject({ met: false });

    await act('assign', { responderId: 'r-1' });
    await clock.advanceAsync(MIN);
    await act('accept');
    await clock.advanceAsync(6 * MIN); // 10:00
    expect(steps(h).at(-1)).toEqual(['not_on_site_10m', ['supervisor', 'responder'], 10 * MIN, false]);
    await clock.advanceAsync(5 * MIN - 1);
    expect(sosSteps(h)).toHaveLength(5);
    await clock.advanceAsync(1);
    expect(steps(h).at(-1)).toEqual(['breach_15m', ['supervisor', 'family'], 15 * MIN, false]);
    expect((await h.incident(id)).stages.on_site).toMatchObject({ met: false, doneAt: null });

    await clock.advanceAsync(60 * MIN);
    expect(steps(h).map((s) => s[0])).toEqual([
      'unacknowledged_30s',
      'unacknowledged_60s',
      'unacknowledged_2m',
      'not_accepted_3m',
      'not_on_site_10m',
      'breach_15m',
    ]);
    expect(sosSteps(h).every((e) => e.incident.id === id)).toBe(true);
    const detail = (await h.api('GET', `/api/incidents/${id}`, { token: h.adminToken })).body as {
      timeline: Array<{ action?: string }>;
    };
    expect(detail.timeline.filter((e) => e.action === 'escalated')).toHaveLength(6);
  });

  it('cancels the steps an incident moved past: handled in time, nothing escalates', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const id = await openSos(h);
    await h.responder('r-1', null);
    const act = (path: string, body?: unknown) =>
      h?.api('POST', `/api/incidents/${id}/${path}`, { token: h.adminToken, ...(body ? { body } : {}) });
    await clock.advanceAsync(20 * S);
    await act('acknowledge');
    await act('assign', { responderId: 'r-1' });
    expect(await pendingSteps(h, id)).toEqual(['not_accepted_3m', 'not_on_site_10m', 'breach_15m']);
    await clock.advanceAsync(MIN);
    await act('accept');
    expect(await pendingSteps(h, id)).toEqual(['not_on_site_10m', 'breach_15m']);
    await clock.advanceAsync(7 * MIN);
    await act('arrive');
    expect(await pendingSteps(h, id)).toEqual([]);
    await clock.advanceAsync(30 * MIN);
    expect(sosSteps(h)).toEqual([]);
    expect((await h.incident(id)).stages).toMatchObject({
      acknowledge: { met: true },
      accept: { met: true },
      on_site: { met: true, tookMs: 8 * MIN + 20 * S },
    });
  });

  it('after a restart mid-ladder, fires the steps that fell due while down at once, marked late, then the rest on time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-incidents-'));
    dirs.push(dir);
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock, dir);
    const id = await openSos(h);
    await clock.advanceAsync(45 * S);
    expect(steps(h)).toEqual([['unacknowledged_30s', ['dispatchers'], 30 * S, false]]);
    await h.t.stop();
    h = null;

    const clock2 = new ManualClock(MORNING + 4 * MIN); // down from 0:45 to 4:00
    h = await startIncidentsHub(clock2, dir);
    await clock2.advanceAsync(0);
    expect(steps(h)).toEqual([
      ['unacknowledged_60s', ['supervisor'], 4 * MIN, true],
      ['unacknowledged_2m', ['contacts'], 4 * MIN, true],
      ['not_accepted_3m', ['supervisor'], 4 * MIN, true],
    ]);
    expect((await h.incident(id)).stages).toMatchObject({
      acknowledge: { met: false },
      accept: { met: false },
    });
    await clock2.advanceAsync(6 * MIN - 1);
    expect(sosSteps(h)).toHaveLength(3);
    await clock2.advanceAsync(1);
    expect(steps(h).at(-1)).toEqual(['not_on_site_10m', ['supervisor', 'responder'], 10 * MIN, false]);
    await clock2.advanceAsync(5 * MIN);
    expect(steps(h).at(-1)).toEqual(['breach_15m', ['supervisor', 'family'], 15 * MIN, false]);
    await clock2.advanceAsync(60 * MIN);
    expect(sosSteps(h)).toHaveLength(5);
    expect(await pendingSteps(h, id)).toEqual([]);
  });
});
