import { checkGeofence, positionOf } from '../geo.ts';
import type { FiredTimer } from '../timers.ts';
import type { Rule, RuleContext } from './context.ts';
import { settingsOf } from './context.ts';

const OUTSIDE = 'away-position';
const outsideKey = (householdId: string) => `${OUTSIDE}:${householdId}`;

interface OutsidePayload {
  since: number;
  deviceId: string;
  lat: number;
  lon: number;
  distanceM: number;
}

/**
 * "Whose wristband shows them away from home": wristband positions farther than the geofence radius from
 * households.location for `awayByPositionMs` (a persisted timer armed by the first one outside, cancelled
 * by one inside) mark the household away (away.ts, source `wristband`) until a position inside arrives.
 * A fix whose accuracy straddles the fence changes nothing.
 */
export function createAwayPositionRule(ctx: RuleContext): Rule {
  ctx.timers.on(OUTSIDE, async (t: FiredTimer<OutsidePayload>) => {
    await ctx.away.startWristband(t.householdId, { ...t.payload, at: t.firedAt });
  });

  return {
    name: 'away-position',
    async onMessage(m) {
      const p = positionOf(m);
      if (!p) return;
      const s = await settingsOf(ctx, m.householdId, m.deviceId);
      const fence = await checkGeofence(ctx.registry, m.householdId, p, s.geofenceRadiusM);
      if (!fence) return;
      const key = outsideKey(m.householdId);
      if (fence.inside) {
        await ctx.timers.cancel(key);
        await ctx.away.endWristband(m.householdId, m.deviceId);
      } else if (
        fence.outside &&
        !(await ctx.timers.pending(key)) &&
        !(await ctx.away.wristband(m.householdId))
      ) {
        const payload: OutsidePayload = {
          since: m.receivedAt,
          deviceId: m.deviceId,
          lat: p.lat,
          lon: p.lon,
          distanceM: fence.distanceM,
        };
        await ctx.timers.arm(key, OUTSIDE, m.householdId, m.receivedAt + s.awayByPositionMs, payload);
      }
    },
  };
}
