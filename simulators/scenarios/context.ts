import type { AlarmType } from '../../alerts/alarm.ts';
import type { AlertSettings } from '../../alerts/settings.ts';
import type { SimHousehold } from '../household/household.ts';

/** What a scenario needs from whoever runs it: a test with a ManualClock, or the live demo. */
export interface ScenarioContext {
  /** Lets `ms` of the hub's time pass: a test advances its ManualClock, the demo waits in real time. */
  advance(ms: number): Promise<void>;
  /** The detection thresholds in effect for the household (defaults, or the demo's overrides). */
  settings: AlertSettings;
}

/** What a household must have for a scenario to mean anything. */
export interface ScenarioNeeds {
  /** the resident has the `wandering-risk` care note */
  wanderingRisk?: boolean;
  /** the household has a Zigbee2MQTT gateway */
  gateway?: boolean;
  /** the hub's local time must be in the night hours (22:00–06:00 by default) */
  night?: boolean;
  /** best started in the evening (the resident goes to bed and does not get up) */
  evening?: boolean;
}

/** A named, repeatable script of things that go wrong in a home. */
export interface Scenario {
  name: string;
  /** one line for logs and the README */
  title: string;
  /** the alarm types the hub raises for it (README "Detection"); empty: none, the input is refused */
  alarms: AlarmType[];
  needs: ScenarioNeeds;
  /** hub time the scenario lets pass before its last alarm is due, ms (0: the alarms are immediate) */
  hubTimeMs(settings: AlertSettings): number;
  run(h: SimHousehold, ctx: ScenarioContext): Promise<void>;
  /** Puts the household back to normal afterwards (the demo reuses its households). */
  restore?(h: SimHousehold): Promise<void>;
}

export const MIN = 60_000;
export const HOUR = 60 * MIN;

/**
 * Lets `ms` of hub time pass in steps of at most `stepMs`, the household's devices sending their
 * heartbeats at each step (except those in `h.silenced`) and `each` doing the scenario's part: the
 * devices stay alive while the resident does nothing, so only the rule under test fires.
 */
export async function liveFor(
  h: SimHousehold,
  ctx: ScenarioContext,
  ms: number,
  each?: (elapsedMs: number) => Promise<unknown>,
  stepMs = 10 * MIN,
): Promise<void> {
  let elapsed = 0;
  while (elapsed < ms) {
    // heartbeats first: a step never ends past a device's deadline (wristband: 15 min) unheard
    await h.heartbeats();
    const step = Math.min(stepMs, ms - elapsed);
    await ctx.advance(step);
    elapsed += step;
    if (each) await each(elapsed);
  }
}
