import { afterEach, describe, expect, it } from 'vitest';
import type { IncidentState } from '../alerts/incidents/events.ts';
import { createLogChannel } from '../alerts/notifications/log-channel.ts';
import { NotificationRouter } from '../alerts/notifications/routing.ts';
import { createLogger } from '../kernel/logger.ts';
import { until } from '../simulators/device.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { incident, type Receiver, startReceiver, withState } from './helpers/notifications.ts';

const SECRET = 'webhook-shared-secret-0123';

interface Told {
  event: string;
  audience: string[];
  step?: string;
  text: { zh: string; en: string };
  incident: { id: string; state: string };
  contacts?: Array<{ name: string; phone: string; priority: number }>;
}

describe('notifications: who is told what', () => {
  let t: TestHub | null = null;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await t?.stop();
    await receiver?.close();
    t = null;
    receiver = null;
  });

  const told = () => (receiver?.received ?? []).map((h) => JSON.parse(h.body) as Told);

  it('tells the family of progress (state changes) only, never of every update', async () => {
    receiver = await startReceiver();
    t = await startTestHub({ notifyWebhookUrls: receiver.url, notifyWebhookSecret: SECRET });
    const inc = incident({ id: 'inc-p' });
    const update = (state: IncidentState, change: string) =>
      t?.hub.bus.emit('incidentUpdated', {
        incident: withState(inc, state),
        change,
        by: null,
        at: Date.now(),
      });
    await t.hub.bus.emit('incidentOpened', { incident: inc });
    await update('open', 'alarm_joined');
    await update('acknowledged', 'acknowledged');
    await update('acknowledged', 'comment');
    await update('acknowledged', 'assigned');
    await update('dispatched', 'accepted');
    await update('dispatched', 'alarm_joined');
    await update('on_site', 'arrived');
    await update('resolved', 'resolved');
    await until(() => told().length >= 5, 3000, 'notifications');
    await new Promise((r) => setTimeout(r, 150)); // nothing more arrives

    const family = told().filter((n) => n.audience.includes('family'));
    expect(family.map((n) => n.incident.state).sort()).toEqual(
      ['acknowledged', 'dispatched', 'on_site', 'resolved'].sort(),
    );
    for (const n of family) {
      expect(n.event).toBe('incident_progress');
      expect(n.text.zh.length).toBeGreaterThan(0);
      expect(n.text.en.length).toBeGreaterThan(0);
    }
    const dispatched = family.find((n) => n.incident.state === 'dispatched');
    expect(dispatched?.text).toEqual({
      zh: '响应人员已接单，正在赶往。',
      en: 'A responder has accepted and is on the way.',
    });
    expect(told().filter((n) => n.event === 'incident_opened')).toHaveLength(1);
    expect(told()).toHaveLength(5);
  });

  it('sends an escalation to each of its audiences: contacts with their phone numbers, family a progress message', async () => {
    receiver = await startReceiver();
    t = await startTestHub({ notifyWebhookUrls: receiver.url, notifyWebhookSecret: SECRET });
    await t.hub.registry.households.upsert({ id: 'hh-test', address: 'hh-test 幸福路 1号', grid: 'grid-1' });
    await t.hub.registry.households.addContact({
      householdId: 'hh-test',
      name: '李明',
      phone: '13900000002',
      priority: 2,
    });
    await t.hub.registry.households.addContact({
      householdId: 'hh-test',
      name: '王芳',
      phone: '13900000001',
      priority: 1,
    });
    const inc = incident({ id: 'inc-e' });

    await t.hub.bus.emit('incidentEscalated', {
      incident: inc,
      step: 'contacts_2min',
      audience: ['contacts'],
      late: false,
      at: Date.now(),
    });
    await until(() => told().length === 1, 3000, 'contacts escalation');
    const [contacts] = told();
    expect(contacts).toMatchObject({
      event: 'incident_escalated',
      step: 'contacts_2min',
      audience: ['contacts'],
    });
    expect(contacts?.contacts?.map((c) => c.phone)).toEqual(['13900000001', '13900000002']);

    await t.hub.bus.emit('incidentEscalated', {
      incident: inc,
      step: 'breach_15min',
      audience: ['supervisor', 'family'],
      late: false,
      at: Date.now(),
    });
    await until(() => told().length === 3, 3000, 'breach escalation');
    const breach = told().slice(1);
    expect(breach.map((n) => n.audience)).toEqual(expect.arrayContaining([['supervisor'], ['family']]));
    // Phone numbers go only to the contacts' escalation.
    for (const n of breach) expect(n.contacts).toBeUndefined();
  });

  it('logs one structured line per notification with ids only: no phone numbers, names or text', async () => {
    const lines: string[] = [];
    const channel = createLogChannel(createLogger('info', { write: (line: string) => lines.push(line) }));
    const router = new NotificationRouter(async () => [
      { name: '王芳', relation: 'daughter', phone: '13900000001', priority: 1 },
    ]);
    const notifications = await router.escalated({
      incident: incident({ id: 'inc-l' }),
      step: 'contacts_2min',
      audience: ['contacts', 'supervisor'],
      late: true,
      at: Date.now(),
    });
    for (const n of notifications) await channel.notify(n);
    expect(lines).toHaveLength(2);
    for (const line of lines) {
      expect(line).not.toContain('13900000001');
      expect(line).not.toContain('王芳');
      expect(line).not.toContain('紧急按钮');
      expect(JSON.parse(line)).toMatchObject({
        msg: 'notification',
        notification: 'incident_escalated',
        incidentId: 'inc-l',
        householdId: 'hh-test',
        step: 'contacts_2min',
        late: true,
      });
    }
  });

  it('suggests reassignment to the supervisor and the responder when nobody is on site at 10 min', async () => {
    receiver = await startReceiver();
    t = await startTestHub({ notifyWebhookUrls: receiver.url, notifyWebhookSecret: SECRET });
    await t.hub.bus.emit('incidentEscalated', {
      incident: withState(incident({ id: 'inc-10m' }), 'dispatched'),
      step: 'not_on_site_10m',
      audience: ['supervisor', 'responder'],
      late: false,
      at: Date.now(),
    });
    await until(() => told().length >= 1, 3000, '10-minute escalation');
    for (const n of told()) {
      expect(n.step).toBe('not_on_site_10m');
      expect(n.text.en).toContain('consider reassigning');
      expect(n.text.zh).toContain('建议改派');
    }
  });
});
