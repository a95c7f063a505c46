import type { EventBus } from '../kernel/bus.ts';
import type { Clock, TimerHandle } from '../kernel/clock.ts';
import { type DeviceType, HEARTBEAT_INTERVAL_MS } from '../kernel/contract.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Registry } from '../kernel/registry/index.ts';
import type { PresenceRow, PresenceStore } from './store/types.ts';

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
  readonly #store: PresenceStore;
  readonly #clock: Clock;
  readonly #registry: Registry;
  readonly #bus: EventBus;
  readonly #log: Logger;
  /** devices currently marked silent (mirror of silent_since IS NOT NULL) */
  readonly #silent = new Set<string>();
  /** last message time per device not yet written; flushed at every sweep (1 s) and on stop */
  readonly #pendingHeard = new Map<string, { type: DeviceType; at: number }>();
  /** online/offline per client as last set here, and the changes not yet written */
  readonly #states = new Map<string, string>();
  readonly #pendingStates = new Map<string, { kind: 'device' | 'gateway'; state: string; at: number }>();
  /** the flush being written, which a second flush waits for */
  #flushing: Promise<void> | null = null;
  #timer: TimerHandle | null = null;
  #running = false;
  /** the sweep in progress (and the schedule after it), which stop waits for */
  #sweeping: Promise<void> | null = null;
  #startedAt = 0;

  constructor(deps: { store: PresenceStore; clock: Clock; registry: Registry; bus: EventBus; log: Logger }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#registry = deps.registry;
    this.#bus = deps.bus;
    this.#log = deps.log;
  }

  async start(): Promise<void> {
    this.#startedAt = this.#clock.now();
    // Every enabled device gets a deadline, so one that never comes online is noticed too.
    await this.#store.ensureDeadlines(
      (await this.#registry.devices.list())
        .filter((d) => d.enabled)
        .map((d) => ({ deviceId: d.id, deadlineAt: this.#startedAt + silenceAfterMs(d.type) })),
    );
    for (const clientId of await this.#store.silentClients()) this.#silent.add(clientId);
    this.#running = true;
    await this.#schedule();
  }

  async stop(): Promise<void> {
    this.#running = false;
    if (this.#timer) this.#clock.clearTimeout(this.#timer);
    this.#timer = null;
    await this.#sweeping;
    await this.flush();
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

  /** Writes pending `heard` times and state changes (one transaction); resolves once they are written. */
  async flush(): Promise<void> {
    // What a flush in progress took is not written yet: wait for it, so the caller reads it.
    while (this.#flushing) await this.#flushing;
    if (this.#pendingHeard.size === 0 && this.#pendingStates.size === 0) return;
    const pendingHeard = [...this.#pendingHeard];
    const pendingStates = [...this.#pendingStates];
    this.#pendingHeard.clear();
    this.#pendingStates.clear();
    const writing = this.#store.write(
      pendingHeard.map(([deviceId, h]) => ({
        deviceId,
        lastSeenAt: h.at,
        deadlineAt: h.at + silenceAfterMs(h.type),
      })),
      pendingStates.map(([clientId, st]) => ({ clientId, ...st })),
    );
    const mine = writing.then(
      () => undefined,
      () => undefined,
    );
    this.#flushing = mine;
    try {
      await writing;
    } catch (err) {
      // Not written: kept for the next flush, unless newer news of the client came meanwhile.
      for (const [id, h] of pendingHeard) if (!this.#pendingHeard.has(id)) this.#pendingHeard.set(id, h);
      for (const [id, st] of pendingStates) if (!this.#pendingStates.has(id)) this.#pendingStates.set(id, st);
      throw err;
    } finally {
      if (this.#flushing === mine) this.#flushing = null;
    }
  }

  /** Records online/offline; emits `presenceChanged` when the state changes. */
  async setState(
    clientId: string,
    kind: 'device' | 'gateway',
    state: 'online' | 'offline',
    reason: string,
  ): Promise<void> {
    const at = this.#clock.now();
    let prev = this.#states.get(clientId);
    if (prev === undefined) {
      const stored = await this.#store.stateOf(clientId);
      // a change set while the store answered is newer than what it said
      prev = this.#states.get(clientId) ?? stored ?? 'unknown';
    }
    this.#states.set(clientId, state);
    // Persisted with the next flush (at most a sweep interval, 1 s, later): one sync for many changes.
    this.#pendingStates.set(clientId, { kind, state, at });
    if (prev !== state) await this.#bus.emit('presenceChanged', { clientId, kind, state, at, reason });
  }

  async list(): Promise<PresenceRow[]> {
    await this.flush();
    return this.#store.list();
  }

  async #schedule(): Promise<void> {
    let delay = SWEEP_MAX_MS;
    try {
      const next = await this.#store.nextDeadline();
      if (next !== null) delay = next - this.#clock.now();
    } catch (err) {
      this.#log.error({ err }, 'could not read the next heartbeat deadline');
    }
    if (!this.#running) return;
    this.#timer = this.#clock.setTimeout(
      () => {
        this.#timer = null;
        // On a turn of the event loop of its own: a clock may fire other timers in the same turn (a test's
        // ManualClock does), whose synchronous store work must not run while the sweep's transaction is
        // open. Not awaited: errors are logged; stop waits for it.
        setImmediate(() => {
          if (!this.#running) return;
          this.#sweeping = this.#sweepAndSchedule().finally(() => {
            this.#sweeping = null;
          });
        });
      },
      Math.min(SWEEP_MAX_MS, Math.max(SWEEP_MIN_MS, delay)),
    );
  }

  async #sweepAndSchedule(): Promise<void> {
    try {
      await this.sweep();
    } catch (err) {
      this.#log.error({ err }, 'heartbeat sweep failed');
    }
    if (this.#running) await this.#schedule();
  }

  /** Fires `deviceSilent` for every passed deadline not yet fired. Returns how many fired. */
  async sweep(): Promise<number> {
    await this.flush();
    const now = this.#clock.now();
    let fired = 0;
    for (const row of await this.#store.due(now)) {
      const deviceId = row.clientId;
      const device = await this.#registry.devices.get(deviceId);
      if (!device?.enabled) continue;
      if (!(await this.#store.claimSilence(deviceId, now))) continue; // another process fired it
      this.#silent.add(deviceId);
      fired++;
      await this.#bus.emit('deviceSilent', {
        deviceId,
        householdId: device.householdId,
        deviceType: device.type,
        lastSeenAt: row.lastSeenAt,
        deadlineAt: row.deadlineAt,
        firedAt: now,
        // Fell due before this process started: the hub was down at the time.
        late: row.deadlineAt < this.#startedAt,
      });
    }
    return fired;
  }
}
