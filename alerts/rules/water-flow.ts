import type { Evidence } from '../alarm.ts';
import type { FiredTimer } from '../timers.ts';
import type { Rule, RuleContext } from './context.ts';
import { isEvent, maybeLate, messageEvidence, residentOf, settingsOf } from './context.ts';

const FLOW = 'continuous-flow';
const flowKey = (deviceId: string) => `${FLOW}:${deviceId}`;

interface FlowPayload {
  since: number;
  first: Evidence;
}

/**
 * Water meter: its own `continuous_flow` event, or every reading at or above the flow threshold for 2 h
 * (a persisted timer armed by the first such reading, cancelled by any reading below it): emergency, high.
 */
export function createWaterFlowRule(ctx: RuleContext): Rule {
  ctx.timers.on(FLOW, async (t: FiredTimer<FlowPayload>) => {
    const deviceId = t.payload.first.kind === 'message' ? t.payload.first.deviceId : null;
    const { continuousFlowLpm } = await settingsOf(ctx, t.householdId, deviceId);
    await ctx.alarms.raise({
      householdId: t.householdId,
      residentId: await residentOf(ctx.registry, t.householdId, null),
      type: 'continuous_flow',
      class: 'emergency',
      severity: 'high',
      late: t.late,
      evidence: [
        t.payload.first,
        {
          kind: 'silence',
          at: t.firedAt,
          since: t.payload.since,
          deviceId,
          room: null,
          what: `no reading below ${continuousFlowLpm} L/min`,
        },
      ],
      explanation: maybeLate(
        ctx,
        t,
        ctx.explain.flowSustained(t.payload.since, continuousFlowLpm, t.firedAt - t.payload.since),
      ),
    });
  });

  return {
    name: 'water-flow',
    async onMessage(m) {
      if (m.deviceType !== 'water_meter') return;
      if (isEvent(m, 'continuous_flow')) {
        const minutes = m.event?.minutes ?? null;
        await ctx.alarms.raise({
          householdId: m.householdId,
          residentId: await residentOf(ctx.registry, m.householdId, null),
          type: 'continuous_flow',
          class: 'emergency',
          severity: 'high',
          evidence: [messageEvidence(m, minutes === null ? {} : { minutes })],
          explanation: ctx.explain.flowReported(minutes, m.receivedAt),
        });
        return;
      }
      const flow = m.readings?.flowLpm;
      if (flow === undefined) return;
      const key = flowKey(m.deviceId);
      const s = await settingsOf(ctx, m.householdId, m.deviceId);
      if (flow < s.continuousFlowLpm) {
        await ctx.timers.cancel(key);
      } else if (!(await ctx.timers.pending(key))) {
        const payload: FlowPayload = { since: m.receivedAt, first: messageEvidence(m, { flowLpm: flow }) };
        await ctx.timers.arm(key, FLOW, m.householdId, m.receivedAt + s.continuousFlowMs, payload);
      }
    },
  };
}
