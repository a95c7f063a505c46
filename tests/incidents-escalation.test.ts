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
  const pendingSteps = (hub: IncidentsHub, id: string) =>
    hub.t.hub.db
      .prepare(
        "SELECT key FROM alert_timers WHERE kind = 'incident-escalation' AND key LIKE ? ORDER BY due_at",
      )
      .all(`incident:${id}:%`)
      .map((r) => String(r.key).split(':').pop());

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

    clock.advance(29 * S);
    expect(sosSteps(h)).toEqual([]);
    clock.advance(1 * S);
    expect(steps(h)).toEqual([['unacknowledged_30s', ['dispatchers'], 30 * S, false]]);
    clock.advance(29 * S);
    expect(sosSteps(h)).toHaveLength(1);
    clock.advance(1 * S);
    expect(steps(h).at(-1)).toEqual(['unacknowledged_60s', ['supervisor'], 60 * S, false]);
    expect(h.incident(id).stages.acknowledge).toMatchObject({ met: false, doneAt: null });
    clock.advance(MIN);
    expect(steps(h).at(-1)).toEqual(['unacknowledged_2m', ['contacts'], 2 * MIN, false]);

    clock.advance(30 * S); // 2:30: acknowledged, late
    expect((await act('acknowledge'))?.status).toBe(200);
    expect(h.incident(id).stages.acknowledge).toMatchObject({ doneAt: MORNING + 150 * S, met: false });
    expect(pendingSteps(h, id)).toEqual(['not_accepted_3m', 'not_on_site_10m', 'breach_15m']);
    clock.advance(30 * S);
    expect(steps(h).at(-1)).toEqual(['not_accepted_3m', ['supervisor'], 3 * MIN, false]);
    expect(h.incident(id).stages.accept).toMatchObject({ met: false });

    await act('assign', { responderId: 'r-1' });
    clock.advance(MIN);
    await act('accept');
    clock.advance(6 * MIN); // 10:00
    expect(steps(h).at(-1)).toEqual(['not_on_site_10m', ['supervisor', 'responder'], 10 * MIN, false]);
    clock.advance(5 * MIN - 1);
    expect(sosSteps(h)).toHaveLength(5);
    clock.advance(1);
    expect(steps(h).at(-1)).toEqual(['breach_15m', ['supervisor', 'family'], 15 * MIN, false]);
    expect(h.incident(id).stages.on_site).toMatchObject({ met: false, doneAt: null });

    clock.advance(60 * MIN);
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
    clock.advance(20 * S);
    await act('acknowledge');
    await act('assign', { responderId: 'r-1' });
    expect(pendingSteps(h, id)).toEqual(['not_accepted_3m', 'not_on_site_10m', 'breach_15m']);
    clock.advance(MIN);
    await act('accept');
    expect(pendingSteps(h, id)).toEqual(['not_on_site_10m', 'breach_15m']);
    clock.advance(7 * MIN);
    await act('arrive');
    expect(pendingSteps(h, id)).toEqual([]);
    clock.advance(30 * MIN);
    expect(sosSteps(h)).toEqual([]);
    expect(h.incident(id).stages).toMatchObject({
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
    clock.advance(45 * S);
    expect(steps(h)).toEqual([['unacknowledged_30s', ['dispatchers'], 30 * S, false]]);
    await h.t.stop();
    h = null;

    const clock2 = new ManualClock(MORNING + 4 * MIN); // down from 0:45 to 4:00
    h = await startIncidentsHub(clock2, dir);
    clock2.advance(0);
    expect(steps(h)).toEqual([
      ['unacknowledged_60s', ['supervisor'], 4 * MIN, true],
      ['unacknowledged_2m', ['contacts'], 4 * MIN, true],
      ['not_accepted_3m', ['supervisor'], 4 * MIN, true],
    ]);
    expect(h.incident(id).stages).toMatchObject({ acknowledge: { met: false }, accept: { met: false } });
    clock2.advance(6 * MIN - 1);
    expect(sosSteps(h)).toHaveLength(3);
    clock2.advance(1);
    expect(steps(h).at(-1)).toEqual(['not_on_site_10m', ['supervisor', 'responder'], 10 * MIN, false]);
    clock2.advance(5 * MIN);
    expect(steps(h).at(-1)).toEqual(['breach_15m', ['supervisor', 'family'], 15 * MIN, false]);
    clock2.advance(60 * MIN);
    expect(sosSteps(h)).toHaveLength(5);
    expect(pendingSteps(h, id)).toEqual([]);
  });
});
