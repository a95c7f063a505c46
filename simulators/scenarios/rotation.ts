import { type AlertSettings, alertSettings } from '../../alerts/settings.ts';
import type { DayRunner } from '../household/day-runner.ts';
import type { SimHousehold } from '../household/household.ts';
import type { Scenario } from './context.ts';
import { SCENARIOS } from './index.ts';

/** Longest hub time a scenario may take to be in the demo's rotation: its alarm shows within minutes. */
const DEMO_MAX_HUB_MS = 10 * 60_000;

export interface RotationOptions {
  households: SimHousehold[];
  runner: DayRunner;
  /** the thresholds in effect for a household (the defaults with the demo's overrides) */
  settings: (h: SimHousehold) => AlertSettings;
  /** one line per scenario started, done or failed */
  log: (line: string) => void;
}

/**
 * The demo's scenarios: every call to `next()` starts the next scenario of the rotation on a household
 * that can have it and is not already in one. The household's day pauses while the scenario runs in
 * real hub time, then it is restored and lives on. `stop()` abandons running scenarios (their waits
 * end at once) and waits for them.
 */
export class ScenarioRotation {
  readonly #o: RotationOptions;
  readonly #busy = new Set<SimHousehold>();
  readonly #running = new Set<Promise<void>>();
  readonly #scenarios: Scenario[];
  readonly #abort = new AbortController();
  #turn = 0;
  started = 0;

  constructor(o: RotationOptions) {
    this.#o = o;
    const settings = this.#demoSettings();
    this.#scenarios = Object.values(SCENARIOS).filter((s) => s.hubTimeMs(settings) <= DEMO_MAX_HUB_MS);
  }

  #demoSettings(): AlertSettings {
    const first = this.#o.households[0];
    return first ? this.#o.settings(first) : alertSettings();
  }

  get names(): string[] {
    return this.#scenarios.map((s) => s.name);
  }

  #fits(s: Scenario, h: SimHousehold): boolean {
    if (this.#busy.has(h)) return false;
    if (s.needs.gateway && !h.gateway) return false;
    if (s.needs.wanderingRisk && !h.spec.resident.careNotes.includes('wandering-risk')) return false;
    return s.hubTimeMs(this.#o.settings(h)) <= DEMO_MAX_HUB_MS;
  }

  /** Starts scenario `name` (or the rotation's next) on household `h` (or the next that fits). */
  next(name?: string, h?: SimHousehold): void {
    for (let tries = 0; tries < this.#scenarios.length; tries++) {
      const s = name
        ? this.#scenarios.find((x) => x.name === name)
        : this.#scenarios[this.#turn++ % this.#scenarios.length];
      if (!s) return;
      const order = [
        ...this.#o.households.slice(this.started % this.#o.households.length),
        ...this.#o.households,
      ];
      const target = h && this.#fits(s, h) ? h : order.find((x) => this.#fits(s, x));
      if (target) {
        this.#start(s, target);
        return;
      }
      if (name) return;
    }
  }

  #start(s: Scenario, h: SimHousehold): void {
    this.started++;
    this.#busy.add(h);
    this.#o.runner.pause(h);
    const settings = this.#o.settings(h);
    const signal = this.#abort.signal;
    const advance = (ms: number) =>
      new Promise<void>((resolve, reject) => {
        if (signal.aborted) return reject(new Error('demo stopping'));
        const timer = setTimeout(resolve, ms);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(new Error('demo stopping'));
        });
      });
    this.#o.log(
      `scenario ${s.name} (${s.title}) in ${h.id}, ${h.spec.resident.name}: expect ${s.alarms.join(', ') || 'no alarm, quarantined input'}`,
    );
    const run = (async () => {
      try {
        await s.run(h, { advance, settings });
        if (signal.aborted) return;
        await s.restore?.(h);
        this.#o.log(`scenario ${s.name} in ${h.id} done`);
      } catch (err) {
        if (!signal.aborted) this.#o.log(`scenario ${s.name} in ${h.id} failed: ${String(err)}`);
      } finally {
        this.#busy.delete(h);
        this.#o.runner.pause(h, false);
      }
    })();
    const tracked = run.finally(() => this.#running.delete(tracked));
    this.#running.add(tracked);
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.allSettled([...this.#running]);
  }
}
