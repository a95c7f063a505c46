import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { MORNING } from './helpers/alerts.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

const S = 1000;

describe('incidents: deadlines and ladder per class, alarm type and household', () => {
  let h: IncidentsHub | null = null;
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  /** The SOS incident's escalations as [step, seconds after the alarm] (a silent button may open its own). */
  const sosSteps = (hub: IncidentsHub) =>
    hub.escalated.filter((e) => e.incident.alarmType === 'sos').map((e) => [e.step, (e.at - MORNING) / S]);

  async function openSos(hub: IncidentsHub): Promise<string> {
    await hub.sos(await hub.button('btn-1'), { opened: 1 });
    const id = hub.opened.find((o) => o.incident.alarmType === 'sos')?.incident.id;
    if (!id) throw new Error('no sos incident');
    return id;
  }

  const put = (hub: IncidentsHub, path: string, body: unknown, token = hub.adminToken) =>
    hub.api('PUT', `/api/incident-policy/${path}`, { token, body });

  it('an alarm-type override of the acknowledge deadline is stored on a new incident and its ladder step fires then', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    const res = await put(h, 'alarm_type/sos?class=emergency', { deadlines: { acknowledge: 30 * S } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      override: { deadlines: { acknowledge: 30 * S } },
      effective: { deadlines: { acknowledge: 30 * S, accept: 180 * S, on_site: 900 * S } },
    });

    const id = await openSos(h);
    expect((await h.incident(id)).stages.acknowledge?.dueAt).toBe(MORNING + 30 * S);
    expect((await h.incident(id)).stages.accept?.dueAt).toBe(MORNING + 180 * S); // untouched stage: the default
    await clock.advanceAsync(30 * S - 1);
    expect(sosSteps(h)).toEqual([]);
    await clock.advanceAsync(1);
    // the 30 s re-alert and the acknowledge-deadline step, both at 30 s; the deadline recorded missed
    expect(sosSteps(h)).toEqual([
      ['unacknowledged_30s', 30],
      ['unacknowledged_60s', 30],
    ]);
    expect((await h.incident(id)).stages.acknowledge).toMatchObject({ met: false, doneAt: null });
    await clock.advanceAsync(60 * S);
    expect(sosSteps(h).map((s) => s[0])).toEqual(['unacknowledged_30s', 'unacknowledged_60s']);

    // a later change does not move the open incident's stored deadline
    await put(h, 'alarm_type/sos', { deadlines: { acknowledge: 50 * S } });
    expect((await h.incident(id)).stages.acknowledge?.dueAt).toBe(MORNING + 30 * S);
  });

  it("a household's override beats the alarm type's, and its ladder replaces the ladder whole", async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    expect((await put(h, 'alarm_type/sos', { deadlines: { acknowledge: 30 * S } })).status).toBe(200);
    const res = await put(h, 'household/hh-test?class=emergency&alarmType=sos', {
      deadlines: { acknowledge: 45 * S },
      ladder: [
        { step: 'call_supervisor', afterMs: 10 * S, until: 'acknowledge', audience: ['supervisor'] },
        { step: 'ack_missed', afterMs: 'deadline', until: 'acknowledge', audience: ['supervisor', 'family'] },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ effective: { deadlines: { acknowledge: 45 * S } } });

    const id = await openSos(h);
    expect((await h.incident(id)).stages.acknowledge?.dueAt).toBe(MORNING + 45 * S);
    await clock.advanceAsync(30 * S);
    expect(sosSteps(h)).toEqual([['call_supervisor', 10]]);
    await clock.advanceAsync(15 * S);
    expect(sosSteps(h)).toEqual([
      ['call_supervisor', 10],
      ['ack_missed', 45],
    ]);
    expect(h.escalated.at(-1)?.audience).toEqual(['supervisor', 'family']);
    await clock.advanceAsync(20 * 60 * S); // none of the default ladder's steps
    expect(sosSteps(h)).toHaveLength(2);

    // the household override dropped: the alarm type's applies again (GET shows it)
    expect(
      (await h.api('DELETE', '/api/incident-policy/household/hh-test', { token: h.adminToken })).status,
    ).toBe(200);
    const view = await h.api('GET', '/api/incident-policy/household/hh-test?class=emergency&alarmType=sos', {
      token: h.adminToken,
    });
    expect(view.body).toMatchObject({ override: {}, effective: { deadlines: { acknowledge: 30 * S } } });
  });

  it('refuses an unknown key or a value out of range (400) and a dispatcher writing (403)', async () => {
    h = await startIncidentsHub(new ManualClock(MORNING));
    const status = async (body: unknown) => (await put(h as IncidentsHub, 'alarm_type/sos', body)).status;
    expect(await status({ deadlines: { acknowledge: 30 * S }, escalate: true })).toBe(400);
    expect(await status({ deadlines: { acknowlege: 30 * S } })).toBe(400);
    expect(await status({ deadlines: { acknowledge: 30 } })).toBe(400); // 30 ms: a typo
    expect(
      await status({ ladder: [{ step: 'x', afterMs: 1000, until: 'acknowledge', audience: ['mayor'] }] }),
    ).toBe(400);
    expect((await put(h, 'alarm_type/meteor', { deadlines: { acknowledge: 30 * S } })).status).toBe(400);
    expect((await put(h, 'household/hh-nope', {})).status).toBe(404);

    const dispatcher = await h.user('disp-1', 'dispatcher');
    expect(
      (await put(h, 'alarm_type/sos', { deadlines: { acknowledge: 30 * S } }, dispatcher.token)).status,
    ).toBe(403);
    const read = await h.api('GET', '/api/incident-policy/class/emergency', { token: dispatcher.token });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ override: {}, effective: { deadlines: { acknowledge: 60 * S } } });
    expect(await h.t.hub.alerts.incidents.policy.get('alarm_type', 'sos')).toEqual({});
  });
});
