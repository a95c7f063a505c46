import type { Scenario } from './context.ts';
import { HOUR, liveFor, MIN } from './context.ts';

/**
 * No morning activity: the resident washes up and goes to bed in the evening and does not get up; the
 * devices keep their heartbeats. Started in the evening (about 20:00 local), the 12 h without movement
 * run out in the morning's active hours: "no movement".
 */
export const noMorningActivity: Scenario = {
  name: 'no-morning-activity',
  title: 'no morning activity',
  alarms: ['no_movement'],
  needs: { evening: true },
  hubTimeMs: (s) => s.noMovementMs + HOUR,
  async run(h, ctx) {
    await h.moveIn('bathroom');
    await h.useWater(8);
    await ctx.advance(5 * MIN);
    await h.moveIn('bedroom');
    await liveFor(h, ctx, ctx.settings.noMovementMs + HOUR);
  },
  async restore(h) {
    await h.moveIn('bedroom');
    await h.moveIn('bathroom');
  },
};
