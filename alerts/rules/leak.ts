import type { Rule, RuleContext } from './context.ts';
import { isEvent, messageEvidence, residentOf } from './context.ts';

/** Leak sensor `leak`: emergency, high. `dry` marks the open alarm cleared by the device; a person closes it. */
export function createLeakRule(ctx: RuleContext): Rule {
  return {
    name: 'leak',
    async onMessage(m) {
      if (m.deviceType !== 'leak') return;
      if (isEvent(m, 'leak')) {
        await ctx.alarms.raise({
          householdId: m.householdId,
          residentId: await residentOf(ctx.registry, m.householdId, null),
          type: 'water_leak',
          class: 'emergency',
          severity: 'high',
          evidence: [messageEvidence(m)],
          explanation: ctx.explain.leak(m.room, m.receivedAt),
        });
      } else if (isEvent(m, 'dry')) {
        const open = await ctx.alarms.open(m.householdId, 'water_leak');
        if (!open) return;
        const dry = ctx.explain.leakDry(open.explanation, m.receivedAt);
        await ctx.alarms.annotate(
          open.id,
          { kind: 'cleared_by_device', ...dry },
          { evidence: [messageEvidence(m)], explanation: dry },
        );
      }
    },
  };
}
