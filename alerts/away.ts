import type { EventBus } from '../kernel/bus.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import type { RuleState } from './rule-state.ts';
import type { AwayStore, DeclaredAway, Transactions } from './store/types.ts';
import type { FiredTimer, RuleTimers } from './timers.ts';

/** `declared`: marked away by a person until an end time; `wristband`: its position is outside the home. */
export type AwaySource = 'declared' | 'wristband';

export type { DeclaredAway };

export interface WristbandAway {
  /** the first position outside the geofence, epoch ms */
  since: number;
  /** when the sustained-outside timer ran out and the suppression began, epoch ms */
  at: number;
  deviceId: string;
  lat: number;
  lon: number;
  distanceM: number;
}

export interface AwayStatus {
  householdId: string;
  /** true while either source suppresses the inactivity and water-use rules */
  away: boolean;
  declared: DeclaredAway | null;
  wristband: WristbandAway | null;
}

const EXPIRE = 'away-expire';
const expireKey = (householdId: string) => `${EXPIRE}:${householdId}`;
const wristbandKey = (householdId: string) => `away-wristband:${householdId}`;

/**
 * Away-suppression of a household (issue 5): the inactivity rules (no movement, bathroom) and the water-use
 * rules hold their alarms while the resident is away. Declared periods live in the AwayStore and expire on
 * a persisted rule timer at their end (so also across a restart); the wristband source lives in the rule
 * state and ends when a position inside the geofence arrives. Each start and end is a bus event, emitted
 * inside the transaction that made the change: the rules' participants (index.ts, `awayEnded`) re-arm
 * their timers in it, the listeners hear of it once it is committed.
 */
export class AwayService {
  readonly #store: AwayStore;
  readonly #tx: Transactions;
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly #timers: RuleTimers;
  readonly #state: RuleState;
  readonly #log: Logger;

  constructor(deps: {
    store: AwayStore;
    tx: Transactions;
    bus: EventBus;
    clock: Clock;
    timers: RuleTimers;
    state: RuleState;
    log: Logger;
  }) {
    this.#store = deps.store;
    this.#tx = deps.tx;
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#timers = deps.timers;
    this.#state = deps.state;
    this.#log = deps.log;
    this.#timers.on(EXPIRE, (t: FiredTimer<{ until: number }>) =>
      this.#expire(t.householdId, t.payload.until),
    );
  }

  /** Marks a household away until `until` (epoch ms), replacing a declared period it had. */
  async declare(
    householdId: string,
    p: { until: number; reason: string; by: string },
  ): Promise<DeclaredAway> {
    const now = this.#clock.now();
    const declared: DeclaredAway = { householdId, until: p.until, reason: p.reason, setBy: p.by, setAt: now };
    await this.#tx.transaction(async () => {
      await this.#store.put(declared);
      await this.#timers.arm(expireKey(householdId), EXPIRE, householdId, p.until, { until: p.until });
      await this.#bus.emit('awayStarted', {
        householdId,
        source: 'declared',
        at: now,
        until: p.until,
        reason: p.reason,
        by: p.by,
      });
    });
    this.#log.info({ householdId, until: p.until, by: p.by }, 'household marked away');
    return declared;
  }

  /** Ends a declared period before its time; false when there was none. */
  async cancel(householdId: string, by: string): Promise<boolean> {
    const ended = await this.#tx.transaction(async () => {
      await this.#timers.cancel(expireKey(householdId));
      if (!(await this.#store.delete(householdId))) return false;
      await this.#bus.emit('awayEnded', {
        householdId,
        source: 'declared',
        at: this.#clock.now(),
        why: 'cancelled',
        by,
      });
      return true;
    });
    if (ended) this.#log.info({ householdId, by }, 'household away cancelled');
    return ended;
  }

  /** The declared period in force (one past its end counts as over even before its timer ran). */
  declared(householdId: string): Promise<DeclaredAway | null> {
    return this.#store.inForce(householdId, this.#clock.now());
  }

  wristband(householdId: string): Promise<WristbandAway | null> {
    return this.#state.get<WristbandAway>(wristbandKey(householdId));
  }

  /** The wristband has been outside the geofence long enough: suppress. */
  async startWristband(householdId: string, w: WristbandAway): Promise<void> {
    const started = await this.#tx.transaction(async () => {
      if (await this.wristband(householdId)) return false;
      await this.#state.set(wristbandKey(householdId), w);
      await this.#bus.emit('awayStarted', {
        householdId,
        source: 'wristband',
        at: w.at,
        until: null,
        reason: `wristband ${w.deviceId} ${w.distanceM} m from home`,
        by: w.deviceId,
      });
      return true;
    });
    if (started) {
      this.#log.info(
        { householdId, deviceId: w.deviceId, distanceM: w.distanceM },
        'wristband shows resident away',
      );
    }
  }

  /** A position inside the geofence arrived: the wristband source ends. */
  endWristband(householdId: string, deviceId: string): Promise<void> {
    return this.#tx.transaction(async () => {
      if (!(await this.wristband(householdId))) return;
      await this.#state.delete(wristbandKey(householdId));
      await this.#bus.emit('awayEnded', {
        householdId,
        source: 'wristband',
        at: this.#clock.now(),
        why: 'returned',
        by: deviceId,
      });
    });
  }

  async status(householdId: string): Promise<AwayStatus> {
    const declared = await this.declared(householdId);
    const wristband = await this.wristband(householdId);
    return { householdId, away: declared !== null || wristband !== null, declared, wristband };
  }

  /** The status when the household's inactivity and water-use rules are suppressed, else null. */
  async suppressed(householdId: string): Promise<AwayStatus | null> {
    const s = await this.status(householdId);
    return s.away ? s : null;
  }

  /** When the suppression ends at the latest as far as known now (declared end), else null. */
  async knownEnd(householdId: string): Promise<number | null> {
    const s = await this.status(householdId);
    return s.wristband ? null : (s.declared?.until ?? null);
  }

  async #expire(householdId: string, until: number): Promise<void> {
    const expired = await this.#tx.transaction(async () => {
      if (!(await this.#store.expire(householdId, until))) return false; // replaced or cancelled meanwhile
      await this.#bus.emit('awayEnded', {
        householdId,
        source: 'declared',
        at: this.#clock.now(),
        why: 'expired',
        by: 'system',
      });
      return true;
    });
    if (expired) this.#log.info({ householdId }, 'household away expired');
  }
}
