import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../simulators/device.ts';
import { connectDevice } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { incident, withState } from './helpers/notifications.ts';

describe('notifications: alarm_accepted device command', () => {
  let t: TestHub | null = null;
  afterEach(async () => {
    await t?.stop();
    t = null;
  });

  it("tells the household's call units (not other homes, not disabled ones) once a responder accepted", async () => {
    t = await startTestHub();
    const hub = t.hub;
    const button = await connectDevice(t, 'btn-home', 'button');
    const band = await connectDevice(t, 'band-home', 'wristband');
    const other = await connectDevice(t, 'btn-other', 'button', { householdId: 'hh-other' });
    await t.provisionDevice({ id: 'btn-off', type: 'button' });
    const off = await hub.registry.devices.get('btn-off');
    if (!off) throw new Error('btn-off not provisioned');
    await hub.registry.devices.upsert({ ...off, enabled: false });
    try {
      const inc = incident({ id: 'inc-42' });
      const at = Date.now();
      await hub.bus.emit('incidentOpened', { incident: inc });
      await hub.bus.emit('incidentUpdated', {
        incident: withState(inc, 'acknowledged'),
        change: 'acknowledged',
        by: '1',
        at,
      });
      // Not yet dispatched: nothing on the command topic.
      await new Promise((r) => setTimeout(r, 150));
      expect(button.commands).toEqual([]);

      const dispatched = { ...withState(inc, 'dispatched'), responderId: 'resp-1' };
      await hub.bus.emit('incidentUpdated', { incident: dispatched, change: 'accepted', by: '2', at });
      await until(() => button.commands.length > 0 && band.commands.length > 0, 3000, 'alarm_accepted');
      expect(button.commands).toEqual([{ type: 'alarm_accepted', alarmId: 'inc-42' }]);
      expect(band.commands).toEqual([{ type: 'alarm_accepted', alarmId: 'inc-42' }]);

      // A comment on the dispatched incident is no state change: no second command.
      await hub.bus.emit('incidentUpdated', { incident: dispatched, change: 'comment', by: '2', at });
      await new Promise((r) => setTimeout(r, 150));
      expect(button.commands).toHaveLength(1);
      expect(other.commands).toEqual([]);

      // The delivery log, through the notifications room's interface.
      const rows = (await hub.notifications.deliveries.list({ limit: 100, channel: 'device' }))
        .map(({ target, status, attempts }) => ({ target, status, attempts }))
        .sort((a, b) => a.target.localeCompare(b.target));
      expect(rows).toEqual([
        { target: 'band-home', status: 'delivered', attempts: 1 },
        { target: 'btn-home', status: 'delivered', attempts: 1 },
      ]);
    } finally {
      await Promise.all([button, band, other].map((d) => d.client.endAsync()));
    }
  });
});
