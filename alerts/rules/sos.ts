import type { Rule, RuleContext } from './context.ts';
import { isEvent, messageEvidence, residentOf, settingsOf } from './context.ts';

/**
 * SOS from a call button or a wristband: emergency, critical. A button `cancel` within the window
 * (30 s) of its own `sos` marks the alarm "cancelled by resident"; it stays open for a person to confirm.
 */
export function createSosRule(ctx: RuleContext): Rule {
  return {
    name: 'sos',
    async onMessage(m) {
      if (isEvent(m, 'sos') && (m.deviceType === 'button' || m.deviceType === 'wristband')) {
        await ctx.alarms.raise({
          householdId: m.householdId,
          residentId: await residentOf(ctx.registry, m.householdId, m.deviceId),
          type: 'sos',
          class: 'emergency',
          severity: 'critical',
          evidence: [messageEvidence(m)],
          explanation: ctx.explain.sos(m.deviceType, m.deviceId, m.receivedAt),
        });
        return;
      }
      if (!isEvent(m, 'cancel') || m.deviceType !== 'button') return;
      const open = await ctx.alarms.open(m.householdId, 'sos');
      const windowStart = m.receivedAt - (await settingsOf(ctx, m.householdId, m.deviceId)).sosCancelWindowMs;
      const ownSos = open?.evidence.some(
        (e) => e.kind === 'message' && e.deviceId === m.deviceId && e.event === 'sos' && e.at >= windowStart,
      );
      if (!open || !ownSos) {
        ctx.log.info({ deviceId: m.deviceId }, 'cancel without an SOS of this button in the window');
        return;
      }
      const cancelled = ctx.explain.sosCancelled(m.receivedAt);
      await ctx.alarms.annotate(
        open.id,
        { kind: 'cancelled_by_resident', ...cancelled },
        {
          evidence: [messageEvidence(m)],
          explanation: {
            zh: `${open.explanation.zh}；${cancelled.zh}`,
            en: `${open.explanation.en}; ${cancelled.en}`,
          },
        },
      );
    },
  };
}
