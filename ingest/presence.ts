import type { StatementSync } from 'node:sqlite';
import type { EventBus } from '../kernel/bus.ts';
import type { Clock, TimerHandle } from '../kernel/clock.ts';
import { type DeviceType, HEARTBEAT_INTERVAL_MS } from '../kernel/contract.ts';
import { type Db, Statements, transaction } from '../kernel/db.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Registry } from '../kernel/registry/index.ts';

/** A device is silent after 3 x its type's heartbeat interval without any message (issue: Presence). */
export const SILENCE_FACTOR = 3;
/**
 * Deadlines are checked at the earliest pending one, and at least every SWEEP_MAX_MS (ms of the
 * injected clock); each sweep also writes the `heard` times, so a persisted deadline lags the truth by
 * at most SWEEP_MAX_MS (it can only come due that much early after a crash, never late).
 */
const SWEEP_MAX_MS = 10_000;
const SWEEP_MIN_MS = 1000;

export const silenceAfterMs = (type: DeviceType) => SILENCE_FACTOR * HEARTBEAT_INTERVAL_MS[type];

/**
 * Presence: online/offline from `status`, Last Will and connections, and independently of wills a
 * persisted heartbeat deadline per device that fires `deviceSilent` once per silence, also for deadlines
 * that passed while the hub was down (then marked late). Safe with several hub processes: a silence is
 * claimed with a conditional UPDATE, so only one process fires it.
 */
export class Presence {
  readonly #db: Db;
  readonly #sql: Statements;
  readonly #clock: Clock;
  readonly #registry: Registry;
  readonly #bus: EventBus;
  readonly #log: Logger;
  readonly #heard: StatementSync;
  /** devices currently marked silent (mirror of silent_since IS NOT NULL) */
  readonly #silent = new Set<string>();
  /** last message time per device not yet written; flushed at every sweep (1 s) and on stop */
  readonly #pendingHeard = new Map<string, { type: DeviceType; at: number }>();
  /** online/offline per client as last set here, and the changes not yet written */
  readonly #states = new Map<string, string>();
  readonly #pendingStates = new Map<string, { kind: 'device' | 'gateway'; state: string; at: number }>();
  readonly #setState: StatementSync;
  #timer: TimerHandle | null = null;
  #startedAt = 0;

  constructor(deps: { db: Db; clock: Clock; registry: Registry; bus: EventBus; log: Logger }) {
    this.#db = deps.db;
    this.#sql = new Statements(deps.db);
    this.#clock = deps.clock;
    this.#registry = deps.registry;
    this.#bus = deps.bus;
    this.#log = deps.log;
    this.#setState = deps.db.prepare(
      `INSERT INTO presence (client_id, kind, state, state_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(client_id) DO UPDATE SET state = excluded.state, state_at = excluded.state_at`,
    );
    this.#heard = deps.db.prepare(
      `INSERT INTO presence (client_id, kind, last_seen_at, deadline_at, silent_since) VALUES (?, 'device', ?, ?, NULL)
       ON CONFLICT(client_id) DO UPDATE SET last_seen_at = MAX(COALESCE(last_seen_at, 0), excluded.last_seen_at),
         deadline_at = MAX(COALESCE(deadline_at, 0), excluded.deadline_at), silent_since = NULL`,
    );
  }

  start(): void {
    this.#startedAt = this.#clock.now();
    // Every enabled device gets a deadline, so one that never comes online is noticed too.
    const insert = this.#sql.get(
      `INSERT INTO presence (client_id, kind, deadline_at) VALUES (?, 'device', ?) ON CONFLICT(client_id) DO NOTHING`,
    );
    transaction(this.#db, () => {
      for (const d of this.#registry.devices.listSync()) {
        if (d.enabled) insert.run(d.id, this.#startedAt + silenceAfterMs(d.type));
      }
    });
    for (const row of this.#sql.get('SELECT client_id FROM presence WHERE silent_since IS NOT NULL').all()) {
      this.#silent.add(String(row.client_id));
    }
    this.#schedule();
  }

  stop(): void {
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    this.flush();
  }

  /** Whether the device is currently marked silent (read before `heard` to emit `deviceHeard`). */
  isSilent(deviceId: string): boolean {
    return this.#silent.has(deviceId);
  }

  /**
   * Pushes the device's deadline out, once its message is durable. Written in one transaction per
   * sweep rather than per message: the persisted deadline lags by at most a sweep interval (1 s), so
   * after a crash a deadline can only come due that much early, never late.
   */
  heard(deviceId: string, type: DeviceType, at: number): void {
    this.#silent.delete(deviceId);
    const prev = this.#pendingHeard.get(deviceId);
    if (!prev || prev.at < at) this.#pendingHeard.set(deviceId, { type, at });
  }

  /** Writes pending `heard` times and state changes (one transaction). */
  flush(): void {
    if (this.#pendingHeard.size === 0 && this.#pendingStates.size === 0) return;
    const heard = [...this.#pendingHeard];
    const states = [...this.#pendingStates];
    this.#pendingHeard.clear();
    this.#pendingStates.clear();
    transaction(this.#db, () => {
      for (const [deviceId, h] of heard) this.#heard.run(deviceId, h.at, h.at + silenceAfterMs(h.type));
      for (const [clientId, st] of states) this.#setState.run(clientId, st.kind, st.state, st.at);
    });
  }

  /** Records online/offline; emits `presenceChanged` when the state changes. */
  setState(clientId: string, kind: 'device' | 'gateway', state: 'online' | 'offline', reason: string): void {
    const at = this.#clock.now();
    let prev = this.#states.get(clientId);
    if (prev === undefined) {
      const row = this.#sql.get('SELECT state FROM presence WHERE client_id = ?').get(clientId);
      prev = row ? String(row.state) : 'unknown';
    }
    this.#states.set(clientId, state);
    // Persisted with the next flush (at most a sweep interval, 1 s, later): one sync for many changes.
    this.#pendingStates.set(clientId, { kind, state, at });
    if (prev !== state) this.#bus.emit('presenceChanged', { clientId, kind, state, at, reason });
  }

  list(): Array<{
    clientId: string;
    kind: string;
    state: string;
    lastSeenAt: number | null;
    deadlineAt: number | null;
    silentSince: number | null;
  }> {
    this.flush();
    return this.#sql
      .get('SELECT * FROM presence ORDER BY client_id')
      .all()
      .map((r) => ({
        clientId: String(r.client_id),
        kind: String(r.kind),
        state: String(r.state),
        lastSeenAt: r.last_seen_at === null ? null : Number(r.last_seen_at),
        deadlineAt: r.deadline_at === null ? null : Number(r.deadline_at),
        silentSince: r.silent_since === null ? null : Number(r.silent_since),
      }));
  }

  #schedule(): void {
    let delay = SWEEP_MAX_MS;
    try {
      const next = this.#sql
        .get(
          `SELECT MIN(deadline_at) AS next FROM presence
           WHERE kind = 'device' AND silent_since IS NULL AND deadline_at IS NOT NULL`,
        )
        .get();
      if (next?.next !== null && next?.next !== undefined) delay = Number(next.next) - this.#clock.now();
    } catch (err) {
      this.#log.error({ err }, 'could not read the next heartbeat deadline');
    }
    this.#timer = this.#clock.setTimeout(
      () => {
        try {
          this.sweep();
        } catch (err) {
          this.#log.error({ err }, 'heartbeat sweep failed');
        }
        this.#schedule();
      },
      Math.min(SWEEP_MAX_MS, Math.max(SWEEP_MIN_MS, delay)),
    );
  }

  /** Fires `deviceSilent` for every passed deadline not yet fired. Returns how many fired. */
  sweep(): number {
    this.flush();
    const now = this.#clock.now();
    const due = this.#sql
      .get(
        `SELECT client_id, last_seen_at, deadline_at FROM presence
         WHERE kind = 'device' AND silent_since IS NULL AND deadline_at IS NOT NULL AND deadline_at <= ?`,
      )
      .all(now);
    const claim = this.#sql.get(
      'UPDATE presence SET silent_since = ? WHERE client_id = ? AND silent_since IS NULL',
    );
    let fired = 0;
    for (const row of due) {
      const deviceId = String(row.client_id);
      const device = this.#registry.devices.getSync(deviceId);
      if (!device?.enabled) continue;
      if (Number(claim.run(now, deviceId).changes) !== 1) continue; // another process fired it
      this.#silent.add(deviceId);
      const deadlineAt = Number(row.deadline_at);
      fired++;
      this.#bus.emit('deviceSilent', {
        deviceId,
        householdId: device.householdId,
        deviceType: device.type,
        lastSeenAt: row.last_seen_at === null ? null : Number(row.last_seen_at),
        deadlineAt,
        firedAt: now,
        // Fell due before this process started: the hub was down at the time.
        late: deadlineAt < this.#startedAt,
      });
    }
    return fired;
  }
}
