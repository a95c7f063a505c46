import type { EventBus } from '../../kernel/bus.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { HistogramHandle, Metrics } from '../../kernel/metrics.ts';
import type { AlarmClass } from '../alarm.ts';
import type { PathStore } from '../store/types.ts';
import { emptyPath, hopsEndingAt, type PathPoint, type PathTimes } from './alarm-path.ts';

/** Seconds: from a millisecond (the hub's clock ticks in ms) to past the 15-minute commitment. */
export const PATH_BUCKETS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 180, 300, 600, 900,
  1800,
];

const OWNER = 'alarm-path';
/** The points recorded in the transaction that opens an incident, observed once it is durable. */
const IN_COMMIT: readonly PathPoint[] = ['rule_fired', 'opened', 'committed'];

/**
 * Records each incident's alarm path (alarm-path.ts) through the PathStore, and each hop, once both its
 * ends are recorded and durable, into `hub_alarm_path_seconds{hop,class}`. The first time a point is
 * reached counts; a later one (a second screen's report) changes nothing.
 */
export class AlarmPathRecorder {
  readonly #store: PathStore;
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly #seconds: HistogramHandle | undefined;

  constructor(deps: { store: PathStore; bus: EventBus; clock: Clock; metrics?: Metrics | undefined }) {
    this.#store = deps.store;
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#seconds = deps.metrics?.histogram(
      'hub_alarm_path_seconds',
      "Each hop of an incident's alarm path (PUBLISH received → rule fired → opened → committed → shown on a dispatcher screen → acknowledged → accepted → on site), seconds, by hop and class",
      { buckets: PATH_BUCKETS, labelNames: ['hop', 'class'] },
    );
  }

  /** `committed`: heard after the transaction that opened an incident is durable (a bus listener). */
  start(): void {
    this.#bus.on('incidentOpened', OWNER, async (e) => {
      const at = this.#clock.now();
      // Written a turn later: the listener runs just before the SOS's PUBACK and the consoles' frames
      // leave, and this write syncs on its own.
      await new Promise((resolve) => setImmediate(resolve));
      const times = await this.#store.mark(e.incident.id, 'committed', at);
      // The points of the opening transaction count only now: a rolled back incident never existed.
      for (const point of IN_COMMIT) this.observe(e.incident.class, times, point);
    });
  }

  stop(): void {
    this.#bus.removeOwner(OWNER);
  }

  /** The path of an incident being opened, inside the transaction that opens it. */
  opened(incidentId: string, at: { received: number | null; ruleFired: number; opened: number }) {
    return this.#store.insert(incidentId, {
      ...emptyPath(),
      received: at.received,
      rule_fired: at.ruleFired,
      opened: at.opened,
    });
  }

  /** An action reached `point` (inside its transaction): the path with it, null when reached before. */
  reached(incidentId: string, point: PathPoint, at: number): Promise<PathTimes | null> {
    return this.#store.mark(incidentId, point, at);
  }

  /** After the transaction that recorded `point` committed: the hops ending there, into the histogram. */
  observe(cls: AlarmClass, times: PathTimes | null, point: PathPoint): void {
    if (!times) return;
    for (const { hop, ms } of hopsEndingAt(times, point))
      this.#seconds?.observe(ms / 1000, { hop: hop.name, class: cls });
  }

  /**
   * A dispatcher page reports that it put the incident on screen, now (the hub's clock when the report
   * arrives: an upper bound of the render, by the report's trip). Only the first report counts.
   */
  async shown(incidentId: string, cls: AlarmClass): Promise<{ shownAt: number | null; counted: boolean }> {
    const times = await this.#store.mark(incidentId, 'shown', this.#clock.now());
    if (!times) return { shownAt: (await this.#store.get(incidentId))?.shown ?? null, counted: false };
    this.observe(cls, times, 'shown');
    return { shownAt: times.shown, counted: true };
  }

  get(incidentId: string): Promise<PathTimes | null> {
    return this.#store.get(incidentId);
  }
}
