import type { CanonicalMessage } from '../ingest/canonical.ts';
import type { DeviceType } from './contract.ts';
import type { Logger } from './logger.ts';

/**
 * Typed event bus between rooms. Each listener is isolated (its error is logged, the others still run)
 * and removable by owner.
 */
export interface HubEvents {
  deviceConnected: { clientId: string; kind: 'device' | 'gateway'; address: string; transport: string };
  deviceDisconnected: { clientId: string; kind: 'device' | 'gateway' };
  securityEvent: { kind: string; clientId?: string; address?: string; detail: string };
  /** A device message that passed validation and dedupe, durable in the store. */
  messageAccepted: CanonicalMessage;
  /** Bad input, kept in quarantine with its reason. */
  inputQuarantined: { clientId: string; deviceId: string | null; code: string; detail: string; at: number };
  /** A device whose bad input crossed the fault threshold. */
  deviceFaulty: { deviceId: string; count: number; lastCode: string; at: number };
  /** A water meter whose register went backwards (fault or replacement), never counted as negative use. */
  meterFault: {
    deviceId: string;
    householdId: string;
    previousLiters: number;
    reportedLiters: number;
    at: number;
  };
  /** A device or gateway went online/offline (status message, Last Will, or connection). */
  presenceChanged: {
    clientId: string;
    kind: 'device' | 'gateway';
    state: 'online' | 'offline';
    at: number;
    reason: string;
  };
  /** Nothing heard from a device for 3 x its type's heartbeat interval. `late` when it fell due while the hub was down. */
  deviceSilent: {
    deviceId: string;
    householdId: string;
    deviceType: DeviceType;
    lastSeenAt: number | null;
    deadlineAt: number;
    firedAt: number;
    late: boolean;
  };
  /** A device that had been silent was heard again. */
  deviceHeard: { deviceId: string; householdId: string; at: number };
}

type Listener<K extends keyof HubEvents> = (payload: HubEvents[K]) => void | Promise<void>;

interface Entry {
  owner: string;
  fn: (payload: never) => void | Promise<void>;
}

export class EventBus {
  readonly #listeners = new Map<keyof HubEvents, Entry[]>();
  readonly #log: Logger;

  constructor(log: Logger) {
    this.#log = log;
  }

  on<K extends keyof HubEvents>(event: K, owner: string, fn: Listener<K>): void {
    const list = this.#listeners.get(event) ?? [];
    list.push({ owner, fn: fn as Entry['fn'] });
    this.#listeners.set(event, list);
  }

  emit<K extends keyof HubEvents>(event: K, payload: HubEvents[K]): void {
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
    for (const [event, list] of this.#listeners) {
      this.#listeners.set(
        event,
        list.filter((e) => e.owner !== owner),
      );
    }
  }
}
