import type { DeviceType } from '../kernel/contract.ts';
import type { CanonicalMessage } from './canonical.ts';

/** The ingest room's events on the bus: accepted and quarantined input, presence, silences, the InfluxDB outbox. */
declare module '../kernel/bus.ts' {
  interface HubEvents {
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
  }
}
