import { raiseSeverity } from '../alarm.ts';
import type { FiredTimer } from '../timers.ts';
import type { Rule, RuleContext } from './context.ts';
import { isEvent, maybeLate, messageEvidence, residentOf, settingsOf } from './context.ts';

const STILL = 'fall-still';
const stillKey = (householdId: string) => `${STILL}:${householdId}`;

interface StillPayload {
  alarmId: string;
  fallAt: number;
}

/**
 * Wristband `fall`: a fall (confidence ≥ 0.6, or none given) is emergency critical, a lower confidence a
 * possible fall, high. No motion anywhere in the home for 5 min after it raises the fall's severity one
 * step (a possible fall becomes critical) and says why; a fall already critical gets the reason added.
 */
export function createFallRule(ctx: RuleContext): Rule {
  ctx.timers.on(STILL, async (t: FiredTimer<StillPayload>) => {
    const alarm = await ctx.alarms.store.get(t.payload.alarmId);
    if (alarm?.status !== 'open') return;
    const why = ctx.explain.fallStill(alarm.explanation, t.payload.fallAt, t.firedAt - t.payload.fallAt);
    await ctx.alarms.annotate(
      alarm.id,
      { kind: 'severity_raised', ...maybeLate(ctx, t, why) },
      {
        severity: raiseSeverity(alarm.severity),
        explanation: maybeLate(ctx, t, why),
        evidence: [
          {
            kind: 'silence',
            at: t.firedAt,
            since: t.payload.fallAt,
            deviceId: null,
            room: null,
            what: 'motion anywhere in the home',
          },
        ],
      },
    );
  });

  return {
    name: 'fall',
    async onMessage(m) {
      if (isEvent(m, 'motion')) {
        await ctx.timers.cancel(stillKey(m.householdId));
        return;
      }
      if (!isEvent(m, 'fall') || m.deviceType !== 'wristband') return;
      const confidence = m.event?.confidence ?? null;
      const s = await settingsOf(ctx, m.householdId, m.deviceId);
      const confident = confidence === null || confidence >= s.fallConfidence;
      const alarm = await ctx.alarms.raise({
        householdId: m.householdId,
        residentId: await residentOf(ctx.registry, m.householdId, m.deviceId),
        type: 'fall',
        class: 'emergency',
        severity: confident ? 'critical' : 'high',
        evidence: [messageEvidence(m, confidence === null ? {} : { confidence })],
        explanation: ctx.explain.fall(confidence, confident, m.receivedAt),
      });
      const payload: StillPayload = { alarmId: alarm.id, fallAt: m.receivedAt };
      await ctx.timers.arm(
        stillKey(m.householdId),
        STILL,
        m.householdId,
        m.receivedAt + s.fallStillMs,
        payload,
      );
    },
  };
}
