import type { CanonicalMessage } from '../canonical.ts';
import type { DeadLetter } from '../store/types.ts';

/** A quarantined message as the fleet page lists it. */
export interface QuarantineBrief {
  id: number;
  /** epoch ms, hub clock */
  at: number;
  clientId: string;
  code: string;
  detail: string;
}

/** A device's (or gateway's) connection as the intake last recorded it. */
export interface DevicePresence {
  /** 'online' / 'offline' as the broker last saw it */
  state: string;
  /** epoch ms of its last message, null if never heard */
  lastSeenAt: number | null;
  /** epoch ms since it has been silent past its heartbeat deadline, else null */
  silentSince: number | null;
}

/** What the intake knows of one device for the consoles' device states. */
export interface DeviceIngestState {
  /** null before its first connection */
  presence: DevicePresence | null;
  /** per cent, its latest telemetry report carrying one; null if none */
  battery: number | null;
  /** epoch ms it was flagged faulty (bad input over the threshold), null if it is not */
  faultFlaggedAt: number | null;
}

/** An accepted message as the durable store keeps it. */
export interface StoredMessage {
  id: number;
  deviceId: string;
  householdId: string;
  channel: string;
  seq: number | null;
  /** epoch ms, hub clock */
  receivedAt: number;
  /** the canonical message as stored */
  body: CanonicalMessage;
}

/** Which stored messages: every field given must match. */
export interface MessageFilter {
  deviceId?: string;
  householdId?: string;
  channel?: string;
}

/** A water-meter register that went backwards (the meter replaced or reset). */
export interface MeterFault {
  deviceId: string;
  at: number;
  previousLiters: number;
  reportedLiters: number;
}

/**
 * The ingest room's read side for the other rooms (the consoles, the tests): its tables (messages,
 * outbox, presence, quarantine, device_faults, meter_faults, dead_letter) are read only here.
 * Async although SQLite answers at once: a second adapter (PostgreSQL) may not.
 */
export interface IngestQueries {
  /** Quarantined messages since `since` (epoch ms), counted per reason code. */
  quarantineSummary(since: number): Promise<Record<string, number>>;
  /** The newest quarantined messages since `since`, newest first, at most `limit`. */
  recentQuarantine(since: number, limit: number): Promise<QuarantineBrief[]>;
  /** A client's presence; null before its first connection. */
  devicePresence(clientId: string): Promise<DevicePresence | null>;
  /** The battery of a device's newest telemetry message carrying one, per cent; null if none. */
  latestBattery(deviceId: string): Promise<number | null>;
  /** When the device was flagged faulty; null if it is not. */
  faultFlaggedAt(deviceId: string): Promise<number | null>;
  /** The three above for many devices at once (a household's or the fleet's list), by device id. */
  devicesState(deviceIds: readonly string[]): Promise<Map<string, DeviceIngestState>>;
  /**
   * The newest receive time among the devices' latest stored event messages (each device's newest
   * event, by store order); null when none of them has one.
   */
  latestEventAt(deviceIds: readonly string[]): Promise<number | null>;
  /** Lines InfluxDB refused, newest first; `beforeId` pages back. */
  deadLetters(opts: {
    limit: number;
    beforeId?: number | undefined;
    deviceId?: string | undefined;
  }): Promise<DeadLetter[]>;
  /** How many dead-lettered lines are kept. */
  deadLetterCount(): Promise<number>;
  /** Stored messages matching the filter, oldest first. */
  messages(filter?: MessageFilter): Promise<StoredMessage[]>;
  /** How many stored messages match the filter. */
  messageCount(filter?: MessageFilter): Promise<number>;
  /** Accepted messages waiting for InfluxDB. */
  outboxDepth(): Promise<number>;
  /** Water-meter registers that went backwards, oldest first (one device's, or all). */
  meterFaults(deviceId?: string): Promise<MeterFault[]>;
}
