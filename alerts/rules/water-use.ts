import type { Evidence } from '../alarm.ts';
import type { FiredTimer } from '../timers.ts';
import type { Rule, RuleContext } from './context.ts';
import { maybeLate, messageEvidence, residentOf, settingsOf } from './context.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const NO_WATER = 'no-water';
const noWaterKey = (householdId: string) => `${NO_WATER}:${householdId}`;
const lastMotionKey = (householdId: string) => `last-motion:${householdId}`;
const dayKey = (householdId: string) => `water-day:${householdId}`;
/** Slack after the usual first water use before it counts as missed, ms. */
const USUAL_SLACK_MS = 60 * MIN;

interface LastUse {
  at: number;
  evidence: Evidence;
  /** the alarm is due past the usual first use of the day (baseline), not the absolute 12 h */
  usualFirstMin: number | null;
}

interface WaterDay {
  /** local midnight, epoch ms */
  day: number;
  liters: number;
}

/**
 * Water use from the meter's derived `usageLiters` (litres since its previous register reading):
 * - no use for `noWaterUseMs` (12 h) inside active hours, or past the resident's usual first use of the
 *   day (+ 1 h) once a baseline exists: wellness check, medium; with no movement since the last use
 *   (a home with motion sensors) it is a possible collapse: emergency, critical;
 * - the local day's use above `excessiveUseFactor` × the usual daily volume (baseline only; no absolute
 *   fallback): non-emergency, low.
 * Both are held while the household is away (away.ts); the window starts again when it ends.
 */
export function createWaterUseRule(ctx: RuleContext): Rule {
  /** The household's settings, with its only resident's overrides (the meter is the home's). */
  const settings = (householdId: string) => settingsOf(ctx, householdId);
  const hasMotionSensors = async (householdId: string) =>
    (await ctx.registry.devices.list([householdId])).some((d) => d.type === 'motion');

  /** When the silence after a use at `at` alarms: 12 h into active hours, or the next usual first use. */
  const dueAfter = async (
    householdId: string,
    at: number,
  ): Promise<{ due: number; usualFirstMin: number | null }> => {
    const s = await settings(householdId);
    const fallback = ctx.hours.nextInRange(at + s.noWaterUseMs, s.activeHours);
    const usual =
      (await ctx.baselines.usable(await residentOf(ctx.registry, householdId, null)))?.firstWaterMin ?? null;
    if (usual === null) return { due: fallback, usualFirstMin: null };
    const nextDayUsual = ctx.hours.startOfDay(at) + DAY + usual * MIN + USUAL_SLACK_MS;
    return nextDayUsual < fallback
      ? { due: nextDayUsual, usualFirstMin: usual }
      : { due: fallback, usualFirstMin: null };
  };

  ctx.timers.on(NO_WATER, async (t: FiredTimer<LastUse>) => {
    const hh = t.householdId;
    const last = t.payload;
    const s = await settings(hh);
    if (!ctx.hours.inRange(t.firedAt, s.activeHours)) {
      await ctx.timers.arm(
        noWaterKey(hh),
        NO_WATER,
        hh,
        ctx.hours.nextInRange(t.firedAt, s.activeHours),
        last,
      );
      return;
    }
    if (await ctx.away.suppressed(hh)) {
      const from = Math.max(t.firedAt, (await ctx.away.knownEnd(hh)) ?? t.firedAt);
      const next = await dueAfter(hh, from);
      await ctx.timers.arm(noWaterKey(hh), NO_WATER, hh, next.due, {
        ...last,
        at: from,
        usualFirstMin: next.usualFirstMin,
      });
      ctx.log.info({ householdId: hh, due: next.due }, 'no-water-use alarm suppressed: household away');
      return;
    }
    const residentId = await residentOf(ctx.registry, hh, null);
    const silence: Evidence = {
      kind: 'silence',
      at: t.firedAt,
      since: last.at,
      deviceId: last.evidence.kind === 'message' ? last.evidence.deviceId : null,
      room: null,
      what: 'water use',
    };
    const lastMotion = await ctx.state.get<number>(lastMotionKey(hh));
    if ((await hasMotionSensors(hh)) && (lastMotion === null || lastMotion <= last.at)) {
      await ctx.alarms.raise({
        householdId: hh,
        residentId,
        type: 'possible_collapse',
        class: 'emergency',
        severity: 'critical',
        late: t.late,
        evidence: [
          last.evidence,
          silence,
          {
            kind: 'silence',
            at: t.firedAt,
            since: lastMotion,
            deviceId: null,
            room: null,
            what: 'motion anywhere in the home',
          },
        ],
        explanation: maybeLate(
          ctx,
          t,
          ctx.explain.possibleCollapse(last.at, lastMotion, t.firedAt - last.at),
        ),
      });
      return;
    }
    await ctx.alarms.raise({
      householdId: hh,
      residentId,
      type: 'no_water_use',
      class: 'wellness',
      severity: 'medium',
      late: t.late,
      evidence: [last.evidence, silence],
      explanation: maybeLate(
        ctx,
        t,
        last.usualFirstMin === null
          ? ctx.explain.noWaterUse(last.at, t.firedAt - last.at)
          : ctx.explain.noWaterPastUsual(last.at, last.usualFirstMin),
      ),
    });
  });

  const checkDailyVolume = async (hh: string, at: number, liters: number, evidence: Evidence) => {
    const s = await settings(hh);
    const day = ctx.hours.startOfDay(at);
    const prev = await ctx.state.get<WaterDay>(dayKey(hh));
    const today: WaterDay = { day, liters: (prev?.day === day ? prev.liters : 0) + liters };
    await ctx.state.set(dayKey(hh), today);
    const residentId = await residentOf(ctx.registry, hh, null);
    const usual = (await ctx.baselines.usable(residentId))?.dailyLiters ?? null;
    if (usual === null || usual <= 0 || today.liters <= s.excessiveUseFactor * usual) return;
    if (await ctx.away.suppressed(hh)) return;
    const open = await ctx.alarms.open(hh, 'excessive_water_use');
    if (open && open.openedAt >= day) return; // once a day
    await ctx.alarms.raise({
      householdId: hh,
      residentId,
      type: 'excessive_water_use',
      class: 'non_emergency',
      severity: 'low',
      evidence: [evidence],
      explanation: ctx.explain.excessiveUse(today.liters, usual, s.excessiveUseFactor),
    });
  };

  return {
    name: 'water-use',
    async onMessage(m) {
      if (m.deviceType === 'motion' && m.channel === 'event' && m.event?.name === 'motion') {
        await ctx.state.set(lastMotionKey(m.householdId), m.receivedAt);
        return;
      }
      const used = m.deviceType === 'water_meter' ? m.readings?.usageLiters : undefined;
      if (used === undefined || used <= 0) return;
      const evidence = messageEvidence(m, { usageLiters: used });
      const next = await dueAfter(m.householdId, m.receivedAt);
      const payload: LastUse = { at: m.receivedAt, evidence, usualFirstMin: next.usualFirstMin };
      await ctx.timers.arm(noWaterKey(m.householdId), NO_WATER, m.householdId, next.due, payload);
      await checkDailyVolume(m.householdId, m.receivedAt, used, evidence);
    },
    async onAwayEnded(e) {
      // The silence while away is no evidence: the window starts again when the suppression ends.
      const key = noWaterKey(e.householdId);
      const pending = await ctx.timers.pending<LastUse>(key);
      if (!pending) return;
      const next = await dueAfter(e.householdId, e.at);
      await ctx.timers.arm(key, NO_WATER, e.householdId, next.due, {
        ...pending.payload,
        at: e.at,
        usualFirstMin: next.usualFirstMin,
      });
    },
  };
}
