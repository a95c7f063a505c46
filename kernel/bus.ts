import type { Logger } from './logger.ts';

/**
 * The bus's event map. The kernel knows no room: each room declares its own events into this interface
 * (declaration merging, as Fastify plugins declare their decorators), in its `events.ts`:
 *
 *     declare module '../kernel/bus.ts' { interface HubEvents { alarmRaised: { alarm: Alarm } } }
 *
 * so the arrows run from the rooms to the kernel only.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled by the rooms' declarations (see above)
export interface HubEvents {}

/** Where the bus learns whether the caller's transaction is open (kernel/sqlite-connection.ts). */
export interface CommitScope {
  /** runs `hook` after the caller's transaction commits, at once outside one; dropped on rollback */
  defer(hook: () => void): void;
}

type Listener<K extends keyof HubEvents> = (payload: HubEvents[K]) => void | Promise<void>;

type Participant<K extends keyof HubEvents> = (payload: HubEvents[K]) => void | Promise<void>;

interface Entry {
  owner: string;
  fn: (payload: never) => void | Promise<void>;
}

/**
 * Typed event bus between rooms. Events leave only after the transaction that caused them commits: an
 * event emitted inside an open transaction of the store (`scope`, kernel/sqlite-connection.ts) reaches
 * its listeners once that transaction is durable, and never when it rolls back. Outside a transaction it
 * is delivered at once. Each listener is isolated (its error is logged, the others still run) and
 * removable by owner.
 *
 * `within` registers a participant instead: it runs before `emit` resolves, inside the emitter's transaction, and may
 * only write its own room's rows there (an incident for an alarm, an outbox row for a notification), so
 * they commit or roll back together with what caused them. Participants are isolated too.
 */
export class EventBus {
  readonly #listeners = new Map<keyof HubEvents, Entry[]>();
  readonly #participants = new Map<keyof HubEvents, Entry[]>();
  readonly #log: Logger;
  readonly #scope: CommitScope | null;

  constructor(log: Logger, scope: CommitScope | null = null) {
    this.#log = log;
    this.#scope = scope;
  }

  /** A participant: runs inside the transaction that emits `event`, before emit resolves (see above). */
  within<K extends keyof HubEvents>(event: K, owner: string, fn: Participant<K>): void {
    const list = this.#participants.get(event) ?? [];
    list.push({ owner, fn: fn as Entry['fn'] });
    this.#participants.set(event, list);
  }

  on<K extends keyof HubEvents>(event: K, owner: string, fn: Listener<K>): void {
    const list = this.#listeners.get(event) ?? [];
    list.push({ owner, fn: fn as Entry['fn'] });
    this.#listeners.set(event, list);
  }

  /**
   * Runs the participants (awaited one after the other, inside the caller's transaction), then delivers
   * to the listeners after the caller's transaction commits (at once outside one). Never rejects. A
   * caller inside a transaction must await it, so the participants' writes land in that transaction.
   */
  emit<K extends keyof HubEvents>(event: K, payload: HubEvents[K]): Promise<void> {
    const participants = this.#participants.get(event) ?? [];
    // Participants that answer synchronously run synchronously (inside a synchronous transaction too);
    // from the first that returns a promise on, the rest wait for it in turn.
    for (let i = 0; i < participants.length; i++) {
      const entry = participants[i] as Entry;
      const pending = this.#participate(event, entry, payload);
      if (pending) return this.#participateRest(event, pending, participants.slice(i + 1), payload);
    }
    this.#afterCommit(event, payload);
    return Promise.resolve();
  }

  #participate<K extends keyof HubEvents>(
    event: K,
    entry: Entry,
    payload: HubEvents[K],
  ): Promise<void> | null {
    const failed = (err: unknown) =>
      this.#log.error({ err, event, owner: entry.owner }, 'event participant failed');
    try {
      const result = (entry.fn as Participant<K>)(payload);
      return result instanceof Promise ? result.catch(failed) : null;
    } catch (err) {
      failed(err);
      return null;
    }
  }

  async #participateRest<K extends keyof HubEvents>(
    event: K,
    first: Promise<void>,
    rest: Entry[],
    payload: HubEvents[K],
  ): Promise<void> {
    await first;
    for (const entry of rest) await this.#participate(event, entry, payload);
    this.#afterCommit(event, payload);
  }

  #afterCommit<K extends keyof HubEvents>(event: K, payload: HubEvents[K]): void {
    if (this.#scope) this.#scope.defer(() => this.#deliver(event, payload));
    else this.#deliver(event, payload);
  }

  #deliver<K extends keyof HubEvents>(event: K, payload: HubEvents[K]): void {
    for (const entry of this.#listeners.get(event) ?? []) {
      try {
        const result = (entry.fn as Listener<K>)(payload);
        if (result instanceof Promise) {
          result.catch((err: unknown) =>
            this.#log.error({ err, event, owner: entry.owner }, 'event listener failed'),
          );
        }
      } catch (err) {
        this.#log.error({ err, event, owner: entry.owner }, 'event listener failed');
      }
    }
  }

  /** Removes every listener registered by `owner` (a room stopping). */
  removeOwner(owner: string): void {
    for (const map of [this.#listeners, this.#participants]) {
      for (const [event, list] of map) {
        map.set(
          event,
          list.filter((e) => e.owner !== owner),
        );
      }
    }
  }
}
