import type { Rule, RuleContext } from './context.ts';
import { messageEvidence, residentOf, settingsOf } from './context.ts';

const lowKey = (deviceId: string) => `battery-low:${deviceId}`;
const tamperKey = (deviceId: string) => `tamper:${deviceId}`;
const silentKey = (householdId: string) => `silent:${householdId}`;

/**
 * Device health: battery below 20 % or `battery_low`, and `tamper` (non-emergency, low), each counted once
 * per device per episode (a device reporting 15 % every heartbeat is one trigger until it reads normal
 * again); a device silent past its heartbeat deadline (non-emergency, medium; a call button, the
 * resident's lifeline: high). The silence alarm closes itself once every silent device is heard again.
 */
export function createDeviceHealthRule(ctx: RuleContext): Rule {
  return {
    name: 'device-health',
    async onMessage(m) {
      const r = m.readings;
      if (!r) return;
      const s = await settingsOf(ctx, m.householdId, m.deviceId);
      const low = (r.battery !== undefined && r.battery < s.batteryLowPercent) || r.batteryLow === true;
      const normal = (r.battery !== undefined && r.battery >= s.batteryLowPercent) || r.batteryLow === false;
      if (low && !(await ctx.state.get<number>(lowKey(m.deviceId)))) {
        await ctx.state.set(lowKey(m.deviceId), m.receivedAt);
        const values: Record<string, number | boolean> = {};
        if (r.battery !== undefined) values.battery = r.battery;
        if (r.batteryLow !== undefined) values.batteryLow = r.batteryLow;
        await ctx.alarms.raise({
          householdId: m.householdId,
          residentId: await residentOf(ctx.registry, m.householdId, m.deviceId),
          type: 'battery_low',
          class: 'non_emergency',
          severity: 'low',
          evidence: [messageEvidence(m, values)],
          explanation: ctx.explain.battery(m.deviceType, m.deviceId, r.battery ?? null, s.batteryLowPercent),
        });
      } else if (normal && !low) {
        await ctx.state.delete(lowKey(m.deviceId));
      }
      if (r.tamper === true && !(await ctx.state.get<number>(tamperKey(m.deviceId)))) {
        await ctx.state.set(tamperKey(m.deviceId), m.receivedAt);
        await ctx.alarms.raise({
          householdId: m.householdId,
          residentId: await residentOf(ctx.registry, m.householdId, m.deviceId),
          type: 'tamper',
          class: 'non_emergency',
          severity: 'low',
          evidence: [messageEvidence(m, { tamper: true })],
          explanation: ctx.explain.tamper(m.deviceType, m.deviceId, m.receivedAt),
        });
      } else if (r.tamper === false) {
        await ctx.state.delete(tamperKey(m.deviceId));
      }
    },

    async onSilent(e) {
      const device = await ctx.registry.devices.get(e.deviceId);
      const silent = new Set((await ctx.state.get<string[]>(silentKey(e.householdId))) ?? []);
      silent.add(e.deviceId);
      await ctx.state.set(silentKey(e.householdId), [...silent]);
      const base = ctx.explain.silent(e.deviceType, e.deviceId, e.lastSeenAt);
      await ctx.alarms.raise({
        householdId: e.householdId,
        residentId: await residentOf(ctx.registry, e.householdId, e.deviceId),
        type: 'device_silent',
        class: 'non_emergency',
        severity: e.deviceType === 'button' ? 'high' : 'medium',
        late: e.late,
        evidence: [
          {
            kind: 'silence',
            at: e.firedAt,
            since: e.lastSeenAt,
            deviceId: e.deviceId,
            room: device?.room ?? null,
            what: 'heartbeat',
          },
        ],
        explanation: e.late ? ctx.explain.late(base, e.deadlineAt) : base,
      });
    },

    async onHeard(e) {
      const key = silentKey(e.householdId);
      const silent = new Set((await ctx.state.get<string[]>(key)) ?? []);
      if (!silent.delete(e.deviceId)) return;
      if (silent.size === 0) await ctx.state.delete(key);
      else await ctx.state.set(key, [...silent]);
      const open = await ctx.alarms.open(e.householdId, 'device_silent');
      if (!open) return;
      if (silent.size === 0) {
        await ctx.alarms.close(open.id, 'system', 'every silent device was heard again');
        return;
      }
      await ctx.alarms.annotate(open.id, {
        kind: 'device_heard',
        zh: `${e.deviceId} 已恢复信号`,
        en: `${e.deviceId} heard again`,
      });
    },
  };
}
