import type { Alarm, AlarmChange } from '../alerts/alarm.ts';
import type { AwaySource } from '../alerts/away.ts';
import type { IncidentEvents } from '../alerts/incidents/events.ts';
import type { CanonicalMessage } from '../ingest/canonical.ts';
import type { DeviceType } from './contract.ts';
import type { Logger } from './logger.ts';

/**
 * Typed event bus between rooms. Each listener is isolated (its error is logged, the others still run)
 * and removable by owner.
 */
export interface HubEvents extends IncidentEvents {
  deviceConnected: { clientId: string; kind: 'device' | 'gateway'; address: string; transport: string };
  deviceDisconnected: { clientId: string; kind: 'device' | 'gateway' };
  securityEvent: { kind: string; clientId?: string; address?: string; detail: string };
  /** An authenticated client broke the protocol below the payload (a packet over the size cap, a bad length). */
  deviceMisbehaved: {
    clientId: string;
    kind: 'device' | 'gateway';
    code: 'too_large' | 'malformed_packet';
    at: number;
  };
  /** A device message that passed validation and dedupe, durable in the store. */
  messageAccepted: CanonicalMessage;
  /** The same message with its row id in the store, emitted just before it (the local history folds it). */
  messageStored: { id: number; message: CanonicalMessage };
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
  /**
   * The InfluxDB outbox crossed its high-water mark (above: true) or fell back below it (above: false).
   * An operator alert: the incident system takes it once it exists.
   */
  outboxHighWater: { above: boolean; depth: number; limit: number; at: number };
  /** A detection rule raised a new alarm (alerts/alarm.ts); persisted before this is emitted. */
  alarmRaised: { alarm: Alarm };
  /** An open alarm changed: a further trigger, cancelled by the resident, cleared by the device, raised severity. */
  alarmUpdated: { alarm: Alarm; change: AlarmChange };
  /** An alarm was closed, by a person or by the system when its cause went away. */
  alarmCleared: { alarm: Alarm; by: string; reason: string };
  /**
   * The inactivity and water-use rules of a household are suppressed from now: marked away by a person
   * (`declared`, until a known end) or its wristband is outside the home geofence (`wristband`, no end).
   */
  awayStarted: {
    householdId: string;
    source: AwaySource;
    at: number;
    until: number | null;
    reason: string;
    by: string;
  };
  /** One source of a household's suppression ended: expired, cancelled by a person, or back home. */
  awayEnded: {
    householdId: string;
    source: AwaySource;
    at: number;
    why: 'expired' | 'cancelled' | 'returned';
    by: string;
  };
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
