import type { Scenario } from './context.ts';
import { liveFor, MIN } from './context.ts';

/** A possible fall (confidence 0.45: high) and then no movement anywhere: raised to critical after 5 min. */
export const fallNoMovement: Scenario = {
  name: 'fall-no-movement',
  title: 'a fall with no movement after it',
  alarms: ['fall'],
  needs: {},
  hubTimeMs: (s) => s.fallStillMs + MIN,
  async run(h, ctx) {
    await h.moveIn('living');
    await ctx.advance(MIN);
    await h.wristband.fall(0.45);
    await liveFor(h, ctx, ctx.settings.fallStillMs + MIN, undefined, MIN);
  },
  async restore(h) {
    await h.moveIn('living');
  },
};

/** The call button's SOS, and the resident's cancel 10 s later (inside the 30 s window): marked, kept. */
export const sosThenCancel: Scenario = {
  name: 'sos-cancel',
  title: 'an SOS then a cancel',
  alarms: ['sos'],
  needs: {},
  hubTimeMs: () => 10_000,
  async run(h, ctx) {
    await h.button.sos();
    await ctx.advance(10_000);
    await h.button.cancel();
  },
};

/** The kitchen's leak sensor detects water. */
export const leak: Scenario = {
  name: 'leak',
  title: 'a water leak in the kitchen',
  alarms: ['water_leak'],
  needs: {},
  hubTimeMs: () => 0,
  async run(h) {
    await h.leak.leak();
  },
  async restore(h) {
    await h.leak.dry();
  },
};

/**
 * A tap left running: the meter reads 6 L/min at every reading until the continuous-flow threshold
 * (2 h by default) has passed; the meter's own `continuous_flow` event is not used, the hub's timer is.
 */
export const tapLeftRunning: Scenario = {
  name: 'tap-running',
  title: 'a tap left running',
  alarms: ['continuous_flow'],
  needs: {},
  hubTimeMs: (s) => s.continuousFlowMs + Math.min(10 * MIN, s.continuousFlowMs / 4),
  async run(h, ctx) {
    const flowLpm = 6;
    const step = Math.min(10 * MIN, ctx.settings.continuousFlowMs / 4);
    h.silenced.add(h.meter.id); // its readings are the scenario's now
    try {
      await h.useWater(2, flowLpm);
      await liveFor(
        h,
        ctx,
        ctx.settings.continuousFlowMs + step,
        () => h.useWater((flowLpm * step) / MIN, flowLpm),
        step,
      );
    } finally {
      h.silenced.delete(h.meter.id);
    }
  },
  async restore(h) {
    await h.useWater(1, 0);
  },
};

/**
 * Night-time wandering: a resident with the `wandering-risk` care note leaves home at night, the
 * wristband's GPS 300 m and then 500 m from home (the geofence is 200 m).
 */
export const nightWandering: Scenario = {
  name: 'night-wandering',
  title: 'night-time wandering',
  alarms: ['wandering'],
  needs: { wanderingRisk: true, night: true },
  hubTimeMs: () => 10 * MIN,
  async run(h, ctx) {
    await h.vitals({ north: 0, east: 0 });
    await h.moveIn('bedroom');
    await ctx.advance(5 * MIN);
    await h.moveIn('living');
    await ctx.advance(5 * MIN);
    h.steps += 400;
    await h.vitals({ north: 300, east: 0 });
    h.steps += 300;
    await h.vitals({ north: 500, east: 60 });
  },
  async restore(h) {
    await h.vitals({ north: 0, east: 0 });
  },
};
