import type { Evidence } from '../alarm.ts';
import type { FiredTimer } from '../timers.ts';
import type { Rule, RuleContext } from './context.ts';
import { isEvent, maybeLate, messageEvidence, residentOf, settingsOf } from './context.ts';

const REMOVED = 'wristband-removed';
const removedKey = (deviceId: string) => `${REMOVED}:${deviceId}`;

interface RemovedPayload {
  deviceId: string;
  at: number;
  evidence: Evidence;
}

/**
 * Wristband `removed` and not `worn` again for 2 h: non-emergency, low, "resident unprotected". Alarmed
 * only inside active hours: 2 h that run out at night alarm when the active hours begin, if still off.
 */
export function createWristbandRemovedRule(ctx: RuleContext): Rule {
  ctx.timers.on(REMOVED, async (t: FiredTimer<RemovedPayload>) => {
    const p = t.payload;
    const s = await settingsOf(ctx, t.householdId, p.deviceId);
    if (!ctx.hours.inRange(t.firedAt, s.activeHours)) {
      await ctx.timers.arm(t.key, REMOVED, t.householdId, ctx.hours.nextInRange(t.firedAt, s.activeHours), p);
      return;
    }
    await ctx.alarms.raise({
      householdId: t.householdId,
      residentId: await residentOf(ctx.registry, t.householdId, p.deviceId),
      type: 'wristband_removed',
      class: 'non_emergency',
      severity: 'low',
      late: t.late,
      evidence: [
        p.evidence,
        {
          kind: 'silence',
          at: t.firedAt,
          since: p.at,
          deviceId: p.deviceId,
          room: null,
          what: 'wristband worn',
        },
      ],
      explanation: maybeLate(ctx, t, ctx.explain.removed(p.deviceId, p.at, t.firedAt - p.at)),
    });
  });

  return {
    name: 'wristband-removed',
    async onMessage(m) {
      if (m.deviceType !== 'wristband') return;
      if (isEvent(m, 'worn')) {
        await ctx.timers.cancel(removedKey(m.deviceId));
      } else if (isEvent(m, 'removed') && !(await ctx.timers.pending(removedKey(m.deviceId)))) {
        const payload: RemovedPayload = {
          deviceId: m.deviceId,
          at: m.receivedAt,
          evidence: messageEvidence(m),
        };
        const s = await settingsOf(ctx, m.householdId, m.deviceId);
        const due = ctx.hours.nextInRange(m.receivedAt + s.wristbandRemovedMs, s.activeHours);
        await ctx.timers.arm(removedKey(m.deviceId), REMOVED, m.householdId, due, payload);
      }
    },
  };
}
