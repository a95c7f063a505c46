import { randomUUID } from 'node:crypto';
import type { EventBus } from '../kernel/bus.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import {
  type Alarm,
  type AlarmNote,
  type AlarmTrigger,
  type AlarmType,
  type Evidence,
  type Explanation,
  MAX_EVIDENCE,
  maxSeverity,
  type Severity,
} from './alarm.ts';
import type { AlarmStore, Transactions } from './store/types.ts';

/** Keeps the first piece of evidence (what started it) and the newest ones. */
function trimEvidence(list: Evidence[]): Evidence[] {
  if (list.length <= MAX_EVIDENCE) return list;
  const first = list[0];
  const rest = list.slice(list.length - (MAX_EVIDENCE - 1));
  return first ? [first, ...rest] : rest;
}

/**
 * The alarm service: raises, updates and closes alarms in the store and announces each change on the bus
 * (`alarmRaised`, `alarmUpdated`, `alarmCleared`). Deduplicated per household and alarm type while one is
 * open: a further trigger folds into it (count, evidence, the higher severity, the newest explanation).
 * Safe with several hub processes: the open alarm is unique in the store, an insert that loses the race
 * folds into the winner.
 */
export class AlarmService {
  /** the alarms as stored (reads: get, list) */
  readonly store: AlarmStore;
  readonly #tx: Transactions;
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(deps: { store: AlarmStore; tx: Transactions; bus: EventBus; clock: Clock; log: Logger }) {
    this.store = deps.store;
    this.#tx = deps.tx;
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  open(householdId: string, type: AlarmType): Promise<Alarm | null> {
    return this.store.open(householdId, type);
  }

  /** Raises a new alarm, or folds the trigger into the open one of its household and type. */
  async raise(t: AlarmTrigger): Promise<Alarm> {
    const now = this.#clock.now();
    const fold = (existing: Alarm): Alarm => ({
      ...existing,
      residentId: existing.residentId ?? t.residentId,
      severity: maxSeverity(existing.severity, t.severity),
      updatedAt: now,
      count: existing.count + 1,
      evidence: trimEvidence([...existing.evidence, ...t.evidence]),
      explanation: t.explanation,
    });
    // Announced inside its transaction: the incident it opens and that incident's outbox rows commit
    // with it (bus participants); the listeners hear of it once it is durable (kernel/bus.ts).
    const result = await this.#tx.transaction(async () => {
      const r = await this.#raiseIn(t, now, fold);
      if (r.created) await this.#bus.emit('alarmRaised', { alarm: r.alarm });
      else await this.#bus.emit('alarmUpdated', { alarm: r.alarm, change: 'retriggered' });
      return r;
    });
    if (result.created) {
      this.#log.warn(
        { alarmId: result.alarm.id, householdId: t.householdId, type: t.type, severity: t.severity },
        'alarm raised',
      );
    }
    return result.alarm;
  }

  async #raiseIn(
    t: AlarmTrigger,
    now: number,
    fold: (existing: Alarm) => Alarm,
  ): Promise<{ alarm: Alarm; created: boolean }> {
    const existing = await this.store.open(t.householdId, t.type);
    if (existing) {
      const next = fold(existing);
      await this.store.update(next);
      return { alarm: next, created: false };
    }
    const alarm: Alarm = {
      id: `alm-${randomUUID()}`,
      householdId: t.householdId,
      residentId: t.residentId,
      type: t.type,
      class: t.class,
      severity: t.severity,
      status: 'open',
      openedAt: now,
      updatedAt: now,
      closedAt: null,
      closedBy: null,
      closeReason: null,
      count: 1,
      evidence: trimEvidence(t.evidence),
      explanation: t.explanation,
      notes: [],
      late: t.late ?? false,
    };
    if (await this.store.insert(alarm)) return { alarm, created: true };
    // Another process opened one between the read and the insert: fold into it.
    const winner = await this.store.open(t.householdId, t.type);
    if (!winner) throw new Error(`alarm ${t.type} of ${t.householdId} neither inserted nor open`);
    const next = fold(winner);
    await this.store.update(next);
    return { alarm: next, created: false };
  }

  /**
   * Adds a note to an open alarm without closing it (cancelled by resident, cleared by the device, …),
   * optionally raising its severity and replacing its explanation. Returns the updated alarm, or null when
   * it is no longer open.
   */
  annotate(
    alarmId: string,
    note: Omit<AlarmNote, 'at'>,
    change: { severity?: Severity; explanation?: Explanation; evidence?: Evidence[] } = {},
  ): Promise<Alarm | null> {
    const now = this.#clock.now();
    return this.#tx.transaction(() => this.#annotateIn(alarmId, note, change, now));
  }

  async #annotateIn(
    alarmId: string,
    note: Omit<AlarmNote, 'at'>,
    change: { severity?: Severity; explanation?: Explanation; evidence?: Evidence[] },
    now: number,
  ): Promise<Alarm | null> {
    const current = await this.store.get(alarmId);
    if (current?.status !== 'open') return null;
    const next: Alarm = {
      ...current,
      updatedAt: now,
      severity: change.severity ? maxSeverity(current.severity, change.severity) : current.severity,
      explanation: change.explanation ?? current.explanation,
      evidence: trimEvidence([...current.evidence, ...(change.evidence ?? [])]),
      notes: [...current.notes, { ...note, at: now }],
    };
    if (!(await this.store.update(next))) return null;
    await this.#bus.emit('alarmUpdated', { alarm: next, change: note.kind });
    return next;
  }

  /** Closes an open alarm (a person, or the system when its cause is gone); false when it was not open. */
  close(alarmId: string, by: string, reason: string): Promise<boolean> {
    const now = this.#clock.now();
    return this.#tx.transaction(async () => {
      if (!(await this.store.close(alarmId, now, by, reason))) return false;
      const alarm = await this.store.get(alarmId);
      if (alarm) await this.#bus.emit('alarmCleared', { alarm, by, reason });
      return true;
    });
  }
}
