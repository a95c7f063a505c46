import type { AfterCommit } from './after-commit.ts';
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

type Listener<K extends keyof HubEvents> = (payload: HubEvents[K]) => void | Promise<void>;

type Participant<K extends keyof HubEvents> = (payload: HubEvents[K]) => void;

interface Entry {
  owner: string;
  fn: (payload: never) => void | Promise<void>;
}

/**
 * Typed event bus between rooms. Events leave only after the transaction that caused them commits: an
 * event emitted inside an open transaction of the store (`after`, kernel/after-commit.ts) reaches its
 * listeners once that transaction is durable, and never when it rolls back. Outside a transaction it
 * is delivered at once. Each listener is isolated (its error is logged, the others still run) and
 * removable by owner.
 *
 * `within` registers a participant instead: it runs at once, inside the emitter's transaction, and may
 * only write its own room's rows there (an incident for an alarm, an outbox row for a notification), so
 * they commit or roll back together with what caused them. Participants are isolated too.
 */
export class EventBus {
  readonly #listeners = new Map<keyof HubEvents, Entry[]>();
  readonly #participants = new Map<keyof HubEvents, Entry[]>();
  readonly #log: Logger;
  readonly #after: AfterCommit | null;

  constructor(log: Logger, after: AfterCommit | null = null) {
    this.#log = log;
    this.#after = after;
  }

  /** A participant: runs synchronously inside the transaction that emits `event` (see above). */
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

  emit<K extends keyof HubEvents>(event: K, payload: HubEvents[K]): void {
    for (const entry of this.#participants.get(event) ?? []) {
      try {
        (entry.fn as Participant<K>)(payload);
      } catch (err) {
        this.#log.error({ err, event, owner: entry.owner }, 'event participant failed');
      }
    }
    if (this.#after?.active) this.#after.defer(() => this.#deliver(event, payload));
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
