import type { Evidence } from '../alarm.ts';
import { checkGeofence, positionOf } from '../geo.ts';
import type { FiredTimer } from '../timers.ts';
import type { Rule, RuleContext } from './context.ts';
import { messageEvidence, residentOf } from './context.ts';

/** The care note that flags a resident at risk of wandering (residents.careNotes). */
export const WANDERING_RISK = 'wandering-risk';
const NIGHT_CHECK = 'wandering-night';
const nightKey = (householdId: string) => `${NIGHT_CHECK}:${householdId}`;

interface Outside {
  residentId: string;
  /** the last position outside, epoch ms */
  at: number;
  distanceM: number;
  evidence: Evidence;
}

/**
 * Night-time wandering: a resident whose careNotes hold `wandering-risk` and whose wristband position is
 * outside the home geofence (settings.geofenceRadiusM, haversine from households.location) during the
 * night hours: emergency, critical, at once. Outside before the night begins arms a persisted check at
 * the start of the night (cancelled by a position inside): still out then, the alarm fires. Not held by a
 * wristband-derived away (that is this very situation), only by a declared one (in hospital at night).
 */
export function createWanderingRule(ctx: RuleContext): Rule {
  const raise = async (householdId: string, o: Outside, at: number, late: boolean, dueAt: number) => {
    if (await ctx.away.declared(householdId)) return;
    const s = await ctx.settingsFor(householdId, o.residentId);
    const base = ctx.explain.wandering(o.distanceM, o.at, s.geofenceRadiusM);
    await ctx.alarms.raise({
      householdId,
      residentId: o.residentId,
      type: 'wandering',
      class: 'emergency',
      severity: 'critical',
      late,
      evidence: [o.evidence],
      explanation: late ? ctx.explain.late(base, dueAt) : base,
    });
    ctx.log.warn({ householdId, distanceM: o.distanceM, at }, 'night-time wandering');
  };

  ctx.timers.on(NIGHT_CHECK, async (t: FiredTimer<Outside>) => {
    const s = await ctx.settingsFor(t.householdId, t.payload.residentId);
    if (!ctx.hours.inRange(t.firedAt, s.nightHours)) return; // a restart after the night ended
    await raise(t.householdId, t.payload, t.firedAt, t.late, t.dueAt);
  });

  return {
    name: 'wandering',
    async onMessage(m) {
      const p = positionOf(m);
      if (!p) return;
      const residentId = await residentOf(ctx.registry, m.householdId, m.deviceId);
      if (!residentId) return;
      const resident = (await ctx.registry.households.residents(m.householdId)).find(
        (r) => r.id === residentId,
      );
      if (!resident?.careNotes.includes(WANDERING_RISK)) return;
      const s = await ctx.settingsFor(m.householdId, residentId);
      const fence = await checkGeofence(ctx.registry, m.householdId, p, s.geofenceRadiusM);
      if (!fence) return;
      const key = nightKey(m.householdId);
      if (!fence.outside) {
        if (fence.inside) await ctx.timers.cancel(key);
        return;
      }
      const o: Outside = {
        residentId,
        at: m.receivedAt,
        distanceM: fence.distanceM,
        evidence: messageEvidence(m, {
          lat: p.lat,
          lon: p.lon,
          accuracy: p.accuracy,
          distanceM: fence.distanceM,
          radiusM: s.geofenceRadiusM,
        }),
      };
      if (ctx.hours.inRange(m.receivedAt, s.nightHours)) {
        await ctx.timers.cancel(key);
        await raise(m.householdId, o, m.receivedAt, false, m.receivedAt);
      } else {
        await ctx.timers.arm(
          key,
          NIGHT_CHECK,
          m.householdId,
          ctx.hours.nextInRange(m.receivedAt, s.nightHours),
          o,
        );
      }
    },
  };
}
