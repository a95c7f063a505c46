import type { EventBus } from '../kernel/bus.ts';
import type { Clock } from '../kernel/clock.ts';
import { type Db, Statements } from '../kernel/db.ts';
import type { Logger } from '../kernel/logger.ts';
import type { RuleState } from './rule-state.ts';
import type { FiredTimer, RuleTimers } from './timers.ts';

/** `declared`: marked away by a person until an end time; `wristband`: its position is outside the home. */
export type AwaySource = 'declared' | 'wristband';

export interface DeclaredAway {
  householdId: string;
  /** epoch ms: the suppression expires then */
  until: number;
  reason: string;
  setBy: string;
  setAt: number;
}

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
 * rules hold their alarms while the resident is away. Declared periods live in `away_periods` (migration 5)
 * and expire on a persisted rule timer at their end (so also across a restart); the wristband source lives
 * in `alert_state` and ends when a position inside the geofence arrives. Each start and end is a bus event.
 */
export class AwayService {
  readonly #db: Db;
  readonly #sql: Statements;
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly #timers: RuleTimers;
  readonly #state: RuleState;
  readonly #log: Logger;

  constructor(deps: {
    db: Db;
    bus: EventBus;
    clock: Clock;
    timers: RuleTimers;
    state: RuleState;
    log: Logger;
  }) {
    this.#db = deps.db;
    this.#sql = new Statements(deps.db);
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
  declare(householdId: string, p: { until: number; reason: string; by: string }): DeclaredAway {
    const now = this.#clock.now();
    this.#sql
      .get(
        `INSERT INTO away_periods (household_id, until, reason, set_by, set_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(household_id) DO UPDATE SET until = excluded.until, reason = excluded.reason,
           set_by = excluded.set_by, set_at = excluded.set_at`,
      )
      .run(householdId, p.until, p.reason, p.by, now);
    this.#timers.arm(expireKey(householdId), EXPIRE, householdId, p.until, { until: p.until });
    this.#log.info({ householdId, until: p.until, by: p.by }, 'household marked away');
    this.#bus.emit('awayStarted', {
      householdId,
      source: 'declared',
      at: now,
      until: p.until,
      reason: p.reason,
      by: p.by,
    });
    return { householdId, until: p.until, reason: p.reason, setBy: p.by, setAt: now };
  }

  /** Ends a declared period before its time; false when there was none. */
  cancel(householdId: string, by: string): boolean {
    this.#timers.cancel(expireKey(householdId));
    const gone = this.#sql.get('DELETE FROM away_periods WHERE household_id = ?').run(householdId);
    if (Number(gone.changes) === 0) return false;
    this.#log.info({ householdId, by }, 'household away cancelled');
    this.#bus.emit('awayEnded', {
      householdId,
      source: 'declared',
      at: this.#clock.now(),
      why: 'cancelled',
      by,
    });
    return true;
  }

  /** The declared period in force (one past its end counts as over even before its timer ran). */
  declared(householdId: string): DeclaredAway | null {
    const r = this.#sql
      .get('SELECT until, reason, set_by, set_at FROM away_periods WHERE household_id = ? AND until > ?')
      .get(householdId, this.#clock.now());
    if (!r) return null;
    return {
      householdId,
      until: Number(r.until),
      reason: String(r.reason),
      setBy: String(r.set_by),
      setAt: Number(r.set_at),
    };
  }

  wristband(householdId: string): WristbandAway | null {
    return this.#state.get<WristbandAway>(wristbandKey(householdId));
  }

  /** The wristband has been outside the geofence long enough: suppress. */
  startWristband(householdId: string, w: WristbandAway): void {
    if (this.wristband(householdId)) return;
    this.#state.set(wristbandKey(householdId), w);
    this.#log.info(
      { householdId, deviceId: w.deviceId, distanceM: w.distanceM },
      'wristband shows resident away',
    );
    this.#bus.emit('awayStarted', {
      householdId,
      source: 'wristband',
      at: w.at,
      until: null,
      reason: `wristband ${w.deviceId} ${w.distanceM} m from home`,
      by: w.deviceId,
    });
  }

  /** A position inside the geofence arrived: the wristband source ends. */
  endWristband(householdId: string, deviceId: string): void {
    if (!this.wristband(householdId)) return;
    this.#state.delete(wristbandKey(householdId));
    this.#bus.emit('awayEnded', {
      householdId,
      source: 'wristband',
      at: this.#clock.now(),
      why: 'returned',
      by: deviceId,
    });
  }

  status(householdId: string): AwayStatus {
    const declared = this.declared(householdId);
    const wristband = this.wristband(householdId);
    return { householdId, away: declared !== null || wristband !== null, declared, wristband };
  }

  /** The status when the household's inactivity and water-use rules are suppressed, else null. */
  suppressed(householdId: string): AwayStatus | null {
    const s = this.status(householdId);
    return s.away ? s : null;
  }

  /** When the suppression ends at the latest as far as known now (declared end), else null. */
  knownEnd(householdId: string): number | null {
    const s = this.status(householdId);
    return s.wristband ? null : (s.declared?.until ?? null);
  }

  #expire(householdId: string, until: number): void {
    const gone = this.#sql
      .get('DELETE FROM away_periods WHERE household_id = ? AND until = ?')
      .run(householdId, until);
    if (Number(gone.changes) === 0) return; // replaced or cancelled meanwhile
    this.#log.info({ householdId }, 'household away expired');
    this.#bus.emit('awayEnded', {
      householdId,
      source: 'declared',
      at: this.#clock.now(),
      why: 'expired',
      by: 'system',
    });
  }
}
