import { type DayStep, dayPlan } from './day-plan.ts';
import type { SimHousehold } from './household.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;

export interface DayRunnerOptions {
  /** local time of the homes, minutes east of UTC (China: +480, the hub's default) */
  utcOffsetMinutes?: number;
  /** simulated ms between heartbeats of every device (default 5 min, the wristband's interval) */
  heartbeatMs?: number;
  /** per household seed; the plan of day d is dayPlan(seed + d) */
  seed?: (h: SimHousehold) => number;
  /** told of every step done (logs, tests) */
  onStep?: (h: SimHousehold, step: DayStep, simAt: number) => void;
  /** told of every failed publish (a stopping hub, a refused message) */
  onError?: (h: SimHousehold, err: unknown) => void;
}

interface Lane {
  h: SimHousehold;
  /** local day number (days since the epoch, local) of `plan` */
  day: number;
  plan: DayStep[];
  next: number;
  nextHeartbeat: number;
  /** households taken over by a scenario: their day pauses */
  paused: boolean;
}

/**
 * Lives the households' days in simulated time. `stepTo(simMs)` does everything due up to that instant
 * (steps in order, heartbeats) and waits for the acknowledgements, so a test can move a ManualClock and
 * the homes in step; `runRealtime` calls it on a timer with simulated time running `scale` times faster
 * than real time (60 = an hour a minute).
 */
export class DayRunner {
  readonly #lanes: Lane[];
  readonly #offset: number;
  readonly #heartbeatMs: number;
  readonly #opts: DayRunnerOptions;
  #simNow: number;
  #timer: NodeJS.Timeout | null = null;
  #stepping: Promise<void> | null = null;
  stepsDone = 0;
  errors = 0;

  constructor(households: SimHousehold[], simStart: number, opts: DayRunnerOptions = {}) {
    this.#opts = opts;
    this.#offset = (opts.utcOffsetMinutes ?? 480) * MIN;
    this.#heartbeatMs = opts.heartbeatMs ?? 5 * MIN;
    this.#simNow = simStart;
    this.#lanes = households.map((h) => {
      const day = this.#localDay(simStart);
      const plan = dayPlan((opts.seed?.(h) ?? h.spec.index) + day);
      const minute = this.#minuteOfDay(simStart);
      return {
        h,
        day,
        plan,
        next:
          plan.findIndex((s) => s.atMin >= minute) === -1
            ? plan.length
            : plan.findIndex((s) => s.atMin >= minute),
        nextHeartbeat: simStart,
        paused: false,
      };
    });
  }

  get simNow(): number {
    return this.#simNow;
  }

  /** Pauses (a scenario takes the household over) or resumes a household's day. */
  pause(h: SimHousehold, paused = true): void {
    const lane = this.#lanes.find((l) => l.h === h);
    if (lane) lane.paused = paused;
  }

  #localDay(simMs: number): number {
    return Math.floor((simMs + this.#offset) / DAY);
  }

  #minuteOfDay(simMs: number): number {
    return ((((simMs + this.#offset) % DAY) + DAY) % DAY) / MIN;
  }

  /** Does every step and heartbeat due up to `simMs`, in time order per household. */
  async stepTo(simMs: number): Promise<void> {
    this.#simNow = Math.max(this.#simNow, simMs);
    await Promise.all(this.#lanes.map((lane) => this.#advanceLane(lane, this.#simNow)));
  }

  async #advanceLane(lane: Lane, until: number): Promise<void> {
    for (let guard = 0; guard < 10_000; guard++) {
      const stepAt = this.#stepTime(lane);
      const due = Math.min(stepAt, lane.nextHeartbeat);
      if (due > until) return;
      try {
        if (lane.nextHeartbeat <= stepAt) {
          lane.nextHeartbeat += this.#heartbeatMs;
          if (!lane.paused) await lane.h.heartbeats();
        } else {
          const step = lane.plan[lane.next++];
          if (step && !lane.paused) {
            await this.#perform(lane.h, step);
            this.stepsDone++;
            this.#opts.onStep?.(lane.h, step, stepAt);
          }
        }
      } catch (err) {
        this.errors++;
        this.#opts.onError?.(lane.h, err);
      }
    }
  }

  /** Epoch ms of the lane's next plan step, rolling over to the next day's plan at midnight. */
  #stepTime(lane: Lane): number {
    while (lane.next >= lane.plan.length) {
      lane.day++;
      lane.plan = dayPlan((this.#opts.seed?.(lane.h) ?? lane.h.spec.index) + lane.day);
      lane.next = 0;
    }
    const step = lane.plan[lane.next] as DayStep;
    return lane.day * DAY - this.#offset + step.atMin * MIN;
  }

  async #perform(h: SimHousehold, step: DayStep): Promise<void> {
    const a = step.action;
    switch (a.do) {
      case 'move':
        await h.moveIn(a.room);
        return;
      case 'water':
        await h.useWater(Number(a.liters.toFixed(1)));
        return;
      case 'position':
        h.steps += a.steps;
        await h.vitals({ north: a.north, east: a.east });
        return;
      case 'wristband':
        await (a.state === 'removed' ? h.wristband.removed() : h.wristband.worn());
        return;
    }
  }

  /**
   * Runs on real time: every `tickMs` real ms, simulated time moves `scale` × as much and everything due
   * is done (a tick never overlaps the previous one). Stop with `stop()`.
   */
  runRealtime(scale: number, tickMs = 250): void {
    const realStart = Date.now();
    const simStart = this.#simNow;
    this.#timer = setInterval(() => {
      if (this.#stepping) return;
      const target = simStart + (Date.now() - realStart) * scale;
      this.#stepping = this.stepTo(target).finally(() => {
        this.#stepping = null;
      });
    }, tickMs);
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#stepping;
  }
}
