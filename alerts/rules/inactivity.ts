import type { Evidence } from '../alarm.ts';
import type { FiredTimer } from '../timers.ts';
import type { Rule, RuleContext } from './context.ts';
import { isEvent, maybeLate, messageEvidence, residentOf, settingsOf } from './context.ts';

const BATHROOM = 'bathroom-still';
const NO_MOVEMENT = 'no-movement';
const bathroomKey = (householdId: string) => `${BATHROOM}:${householdId}`;
const noMovementKey = (householdId: string) => `${NO_MOVEMENT}:${householdId}`;

interface LastMovement {
  at: number;
  evidence: Evidence;
  /** due past the resident's usual first movement (baseline), local minutes, with its tolerance */
  usual?: { firstMin: number; toleranceMin: number };
}

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
/** Least slack after the usual first movement before its absence alarms, minutes. */
const MIN_TOLERANCE_MIN = 30;

/**
 * Inactivity from the motion sensors, on persisted timers re-armed by every `motion` event:
 * - last movement in the bathroom and none elsewhere for 45 min: emergency, high (any hour: a fall in
 *   the bathroom at night is as dangerous);
 * - no movement anywhere for 12 h (the absolute fallback before baselines), alarmed only inside active
 *   hours: 12 h that run out at night alarm when the active hours begin, if still no movement; with a
 *   usable baseline (≥ 7 days) sooner when the resident's usual first movement (+ 2 × its spread, at
 *   least 30 min) passes first.
 * A household without motion sensors, or whose sensors never reported, arms neither.
 * While the household is away (away.ts) neither alarms: the bathroom timer is dropped, the 12 h one
 * starts again from the end of the suppression.
 */
export function createInactivityRule(ctx: RuleContext): Rule {
  /** The household's settings, with its only resident's overrides (motion sensors are the home's). */
  const settings = (householdId: string) => settingsOf(ctx, householdId);

  /** Raises an inactivity alarm (emergency, high): the last movement, then the silence since. */
  const raiseSilence = async (
    t: FiredTimer<LastMovement>,
    type: 'bathroom_inactivity' | 'no_movement',
    silentWhat: string,
    explanation: Parameters<typeof maybeLate>[2],
  ) =>
    ctx.alarms.raise({
      householdId: t.householdId,
      residentId: await residentOf(ctx.registry, t.householdId, null),
      type,
      class: 'emergency',
      severity: 'high',
      late: t.late,
      evidence: [
        t.payload.evidence,
        { kind: 'silence', at: t.firedAt, since: t.payload.at, deviceId: null, room: null, what: silentWhat },
      ],
      explanation: maybeLate(ctx, t, explanation),
    });

  ctx.timers.on(BATHROOM, async (t: FiredTimer<LastMovement>) => {
    const last = t.payload;
    if (await ctx.away.suppressed(t.householdId)) {
      // Away: the last movement in the bathroom was the resident leaving, not a fall.
      ctx.log.info({ householdId: t.householdId }, 'bathroom inactivity suppressed: household away');
      return;
    }
    await raiseSilence(
      t,
      'bathroom_inactivity',
      'motion outside the bathroom',
      ctx.explain.bathroom(last.at, t.firedAt - last.at),
    );
  });

  ctx.timers.on(NO_MOVEMENT, async (t: FiredTimer<LastMovement>) => {
    const last = t.payload;
    const s = await settings(t.householdId);
    if (!ctx.hours.inRange(t.firedAt, s.activeHours)) {
      // Came due at night (a restart, or settings changed): wait for the active hours.
      const next = ctx.hours.nextInRange(t.firedAt, s.activeHours);
      await ctx.timers.arm(noMovementKey(t.householdId), NO_MOVEMENT, t.householdId, next, last);
      return;
    }
    if (await ctx.away.suppressed(t.householdId)) {
      // Away: the window starts again from the known end of the suppression (or now, for the wristband).
      const from = Math.max(t.firedAt, (await ctx.away.knownEnd(t.householdId)) ?? t.firedAt);
      const due = ctx.hours.nextInRange(from + s.noMovementMs, s.activeHours);
      await ctx.timers.arm(noMovementKey(t.householdId), NO_MOVEMENT, t.householdId, due, {
        at: from,
        evidence: last.evidence,
      });
      ctx.log.info({ householdId: t.householdId, due }, 'no-movement alarm suppressed: household away');
      return;
    }
    await raiseSilence(
      t,
      'no_movement',
      'motion anywhere in the home',
      last.usual
        ? ctx.explain.noMovementUsual(last.at, last.usual.firstMin, last.usual.toleranceMin)
        : ctx.explain.noMovement(last.at, t.firedAt - last.at),
    );
  });

  return {
    name: 'inactivity',
    async onAwayEnded(e) {
      // Back (or the period cancelled or expired): the silence while away is no evidence, so the 12 h
      // window starts again now.
      const key = noMovementKey(e.householdId);
      const pending = await ctx.timers.pending<LastMovement>(key);
      if (!pending) return;
      const s = await settings(e.householdId);
      const due = ctx.hours.nextInRange(e.at + s.noMovementMs, s.activeHours);
      await ctx.timers.arm(key, NO_MOVEMENT, e.householdId, due, {
        at: e.at,
        evidence: pending.payload.evidence,
      });
    },
    async onMessage(m) {
      if (m.deviceType !== 'motion' || !isEvent(m, 'motion')) return;
      const last: LastMovement = { at: m.receivedAt, evidence: messageEvidence(m) };
      const s = await settings(m.householdId);
      if (m.room === 'bathroom') {
        await ctx.timers.arm(
          bathroomKey(m.householdId),
          BATHROOM,
          m.householdId,
          m.receivedAt + s.bathroomStillMs,
          last,
        );
      } else {
        await ctx.timers.cancel(bathroomKey(m.householdId));
      }
      // 12 h (into the active hours), or sooner: tomorrow's usual first movement plus its tolerance.
      let due = ctx.hours.nextInRange(m.receivedAt + s.noMovementMs, s.activeHours);
      const b = await ctx.baselines.usable(await residentOf(ctx.registry, m.householdId, null));
      const firstMin = b?.firstMotionMin ?? null;
      if (b && firstMin !== null) {
        const toleranceMin = Math.max(MIN_TOLERANCE_MIN, 2 * (b.firstMotionSpreadMin ?? 0));
        const usualDue = ctx.hours.startOfDay(m.receivedAt) + DAY + (firstMin + toleranceMin) * MIN;
        if (usualDue < due) {
          due = usualDue;
          last.usual = { firstMin, toleranceMin };
        }
      }
      await ctx.timers.arm(noMovementKey(m.householdId), NO_MOVEMENT, m.householdId, due, last);
    },
  };
}
