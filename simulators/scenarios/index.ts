import type { Scenario } from './context.ts';
import { buttonBatteryDies, garbage, gatewayOffline } from './device-faults.ts';
import { fallNoMovement, leak, nightWandering, sosThenCancel, tapLeftRunning } from './emergencies.ts';
import { noMorningActivity } from './inactivity.ts';

export type { Scenario, ScenarioContext } from './context.ts';

/** Every named scenario, by name: the tests run each end to end, the demo picks from them. */
export const SCENARIOS: Readonly<Record<string, Scenario>> = Object.freeze(
  Object.fromEntries(
    [
      fallNoMovement,
      sosThenCancel,
      leak,
      noMorningActivity,
      tapLeftRunning,
      nightWandering,
      buttonBatteryDies,
      gatewayOffline,
      garbage,
    ].map((s) => [s.name, s]),
  ),
);

export function scenario(name: string): Scenario {
  const s = SCENARIOS[name];
  if (!s) throw new Error(`no scenario ${name}; known: ${Object.keys(SCENARIOS).join(', ')}`);
  return s;
}
