/**
 * The ingest room's store interfaces (design.md, "Rooms own their data"): every method returns a Promise,
 * even where SQLite answers at once, so a second adapter (PostgreSQL) is an implementation and not a
 * rewrite. Today's adapter is SQLite (`sqlite-*.ts` beside this file); no SQL of the room's tables lives
 * anywhere else but there and in `../queries/sqlite.ts`.
 *
 * Writes of the durable intake run inside a group commit (ingest/group-commit.ts), which holds the
 * connection for its whole batch: called from inside it they run at once, in its transaction.
 */
import type { CanonicalMessage } from '../canonical.ts';
import type { ZigbeeDeviceInfo } from '../zigbee-bridge-messages.ts';

/** Runs `fn` in one transaction of the store (a savepoint inside an open one); rolled back when it throws. */
export type InTransaction = <T>(fn: () => Promise<T>) => Promise<T>;

// ---------------------------------------------------------------------------------------------------
// Durable intake (messages, seen_seq, quarantine, device_faults, meter_state, meter_faults)

export interface QuarantineEntry {
  id: number;
  at: number;
  clientId: string;
  deviceId: string | null;
  topic: string;
  code: string;
  detail: string;
  seq: number | null;
  size: number;
  /** the payload as text (UTF-8, lossy for binary input) */
  payload: string;
  /** epoch ms an operator dealt with it (an unknown device provisioned from the pairing list), or null */
  resolvedAt: number | null;
  resolution: string | null;
}

export type QuarantineInput = Omit<
  QuarantineEntry,
  'id' | 'size' | 'payload' | 'resolvedAt' | 'resolution'
> & {
  payload: Buffer;
};

/** A device's bad-input counter. */
export interface DeviceFault {
  deviceId: string;
  count: number;
  lastCode: string;
  lastAt: number;
  flaggedAt: number | null;
}

/** The durable intake's writes (inside a group commit) and the reads that go with them. */
export interface IntakeStore {
  /** Stores an accepted message, queues it for InfluxDB and (with a hash) in the dedupe index; its id. */
  insertMessage(m: CanonicalMessage, qos: number, payloadHash: string | null): Promise<number>;
  /** The dedupe index's entry of (device, seq), null when none. */
  seen(deviceId: string, seq: number): Promise<{ hash: string; at: number } | null>;
  /** The newest `received_at` of the dedupe index, null when empty. */
  newestSeenAt(): Promise<number | null>;
  /** Drops dedupe entries older than `olderThanMs`; how many. */
  pruneSeen(olderThanMs: number): Promise<number>;
  insertQuarantine(q: QuarantineInput): Promise<void>;
  /** Counts a fault against a device; the new count and whether it was already flagged. */
  bumpFault(deviceId: string, code: string, at: number): Promise<{ count: number; flagged: boolean }>;
  flagFaulty(deviceId: string, at: number): Promise<void>;
  /** A water meter's last register value, null before its first. */
  meterTotal(deviceId: string): Promise<number | null>;
  setMeterTotal(deviceId: string, liters: number, at: number): Promise<void>;
  recordMeterFault(deviceId: string, at: number, previous: number, reported: number): Promise<void>;
  /** Quarantined input newest first, of one device or gateway (its id as device or client); `beforeId` pages. */
  listQuarantine(opts: { deviceId?: string; limit: number; beforeId?: number }): Promise<QuarantineEntry[]>;
  /** Every device's fault counter, the latest fault first. */
  faults(): Promise<DeviceFault[]>;
  /**
   * Queues every stored message for InfluxDB again, as after a crash that lost InfluxDB's answers or an
   * InfluxDB restored from an older backup: a point written twice overwrites itself (same series and
   * time). How many were queued that were not already.
   */
  requeueAllForInflux(): Promise<number>;
  counts(): Promise<{ messages: number; outbox: number; quarantine: number }>;
}

// ---------------------------------------------------------------------------------------------------
// Presence (presence)

export interface PresenceRow {
  clientId: string;
  kind: string;
  state: string;
  lastSeenAt: number | null;
  deadlineAt: number | null;
  silentSince: number | null;
}

export interface HeardUpdate {
  deviceId: string;
  lastSeenAt: number;
  deadlineAt: number;
}

export interface StateUpdate {
  clientId: string;
  kind: 'device' | 'gateway';
  state: string;
  at: number;
}

export interface DueDeadline {
  clientId: string;
  lastSeenAt: number | null;
  deadlineAt: number;
}

export interface PresenceStore {
  /** Gives each device with no presence row one with its first deadline (one transaction). */
  ensureDeadlines(devices: ReadonlyArray<{ deviceId: string; deadlineAt: number }>): Promise<void>;
  /** Clients marked silent now. */
  silentClients(): Promise<string[]>;
  /** Writes last-seen times (deadlines only move out, silence ends) and states, in one transaction. */
  write(heard: readonly HeardUpdate[], states: readonly StateUpdate[]): Promise<void>;
  /** A client's state as last written, null before its first. */
  stateOf(clientId: string): Promise<string | null>;
  /** Every client's row, by client id. */
  list(): Promise<PresenceRow[]>;
  /** The earliest deadline of a device not silent, null when none. */
  nextDeadline(): Promise<number | null>;
  /** Devices not silent whose deadline is at or before `now`. */
  due(now: number): Promise<DueDeadline[]>;
  /** Marks the device silent since `at` unless it already is (another process claimed it): true if this did. */
  claimSilence(deviceId: string, at: number): Promise<boolean>;
}

// ---------------------------------------------------------------------------------------------------
// InfluxDB outbox and dead letter (outbox, dead_letter)

/** An outbox entry with its stored message. */
export interface OutboxRow {
  messageId: number;
  deviceId: string;
  householdId: string;
  /** CanonicalMessage JSON */
  body: string;
}

/** A line InfluxDB refused (or a stored message no point could be built of), kept with the reason. */
export interface DeadLetter {
  id: number;
  /** epoch ms, hub clock */
  at: number;
  messageId: number;
  deviceId: string;
  householdId: string;
  /** InfluxDB's HTTP status; null when no point could be built */
  status: number | null;
  /** InfluxDB's error message, or the schema's */
  error: string;
  /** the refused line protocol; '' when no point could be built */
  line: string;
}

export type DeadLetterInput = Omit<DeadLetter, 'id'>;

/**
 * The InfluxDB writer's side of the outbox: the oldest entries in message-id order (receive order, so per
 * device too); an entry is removed only once InfluxDB has it or it has been set aside in the dead letter.
 */
export interface OutboxStore {
  /** The oldest `limit` entries, oldest first. */
  read(limit: number): Promise<OutboxRow[]>;
  /** InfluxDB acknowledged these messages (2xx). */
  written(messageIds: readonly number[]): Promise<void>;
  /** Moves refused messages from the outbox to the dead letter, atomically. */
  deadLetter(entries: readonly DeadLetterInput[]): Promise<void>;
  depth(): Promise<number>;
  /** enqueued_at (epoch ms) of the oldest entry; null when the outbox is empty. */
  oldestEnqueuedAt(): Promise<number | null>;
  /** Dead letters newest first; `beforeId` pages back. */
  deadLetters(opts: {
    limit: number;
    beforeId?: number | undefined;
    deviceId?: string | undefined;
  }): Promise<DeadLetter[]>;
  deadLetterCount(): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------
// Quarantine resolution (quarantine)

export interface QuarantineStore {
  transaction: InTransaction;
  /** A client's unresolved `unknown_device` entries (id and topic). */
  unresolvedUnknownDevices(clientId: string): Promise<Array<{ id: number; topic: string }>>;
  /** Marks entries resolved; how many it marked (an entry already resolved is left alone). */
  markResolved(ids: readonly number[], at: number, resolution: string): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------
// Retention (messages, quarantine, dead_letter; history_cursor read)

export interface RetentionStore {
  /** The newest message id counted into the local hourly history (0 before the first catch-up). */
  aggregatedUpTo(): Promise<number>;
  /**
   * Deletes up to `limit` messages received before `before`, with ids up to `upToId`, that no longer wait
   * in the outbox; how many.
   */
  deleteMessages(before: number, upToId: number, limit: number): Promise<number>;
  /** Deletes up to `limit` quarantine entries older than `before`; how many. */
  deleteQuarantine(before: number, limit: number): Promise<number>;
  /** Deletes up to `limit` dead letters older than `before`; how many. */
  deleteDeadLetters(before: number, limit: number): Promise<number>;
}

// ---------------------------------------------------------------------------------------------------
// Local hourly history (hourly_stats, history_cursor; messages read)

/**
 * What the local history keeps per device and hour. `seen`: events and telemetry (the device itself
 * speaking; a status may be the broker's Last Will); `motion`: motion events; the rest: readings.
 */
export type LocalMetric = 'seen' | 'motion' | 'usage_liters' | 'heart_rate' | 'spo2' | 'battery';

/** What the aggregates need of a stored message. */
export interface StoredFacts {
  deviceId: string;
  householdId: string;
  room: string | null;
  channel: string;
  receivedAt: number;
  eventName: string | null;
  usageLiters: number | null;
  heartRate: number | null;
  spo2: number | null;
  battery: number | null;
}

/** One device's metric in one hour, summed over the messages of one catch-up (or kept: hourly_stats). */
export interface HourCell {
  deviceId: string;
  metric: LocalMetric;
  hour: number;
  householdId: string;
  room: string | null;
  count: number;
  sum: number;
  min: number;
  max: number;
  /** the value of the newest message (by receivedAt), and its time */
  last: number;
  lastAt: number;
}

export interface HistoryStore {
  transaction: InTransaction;
  /**
   * The aggregation cursor (the newest message id counted); on the first call ever set to just before the
   * first message received at or after `startFrom` (else the newest message, else 0).
   */
  cursor(startFrom: number): Promise<number>;
  setCursor(messageId: number): Promise<void>;
  /** Whether any message is stored with an id after `afterId`. */
  hasMessagesAfter(afterId: number): Promise<boolean>;
  /** How many stored messages have ids in (afterId, upToId]. */
  countMessages(afterId: number, upToId: number): Promise<number>;
  /** The facts of up to `limit` stored messages after `afterId`, in id order (unreadable bodies skipped). */
  factsAfter(afterId: number, limit: number): Promise<Array<StoredFacts & { id: number }>>;
  /** Adds folded cells to the kept hours (counts and sums add up, min/max/last merge). */
  addHours(cells: Iterable<HourCell>): Promise<void>;
  /** Keeps hours aggregated elsewhere: each replaces the device's metric hour kept (one transaction). */
  replaceHours(cells: readonly HourCell[]): Promise<void>;
  /** Drops hours before `cutoff`; how many. */
  pruneHours(cutoff: number): Promise<number>;
  /** Motion counts per hour and room in [from, to). */
  motionByHourAndRoom(
    householdId: string,
    from: number,
    to: number,
  ): Promise<Array<{ hour: number; room: string | null; motions: number }>>;
  /** Litres used per hour in [from, to), by hour. */
  waterByHour(
    householdId: string,
    from: number,
    to: number,
  ): Promise<Array<{ hour: number; liters: number }>>;
  /** Heart rate and SpO₂ sums, counts and extremes per hour in [from, to), by hour. */
  vitalsByHour(
    householdId: string,
    deviceId: string,
    from: number,
    to: number,
  ): Promise<
    Array<{
      hour: number;
      metric: 'heart_rate' | 'spo2';
      sum: number;
      count: number;
      min: number;
      max: number;
    }>
  >;
  /** The last battery value of each device's hours in [from, to), oldest first. */
  batteryLasts(
    householdId: string,
    from: number,
    to: number,
  ): Promise<Array<{ deviceId: string; battery: number; at: number }>>;
  /** When each device was last heard within [from, to), by device id. */
  lastSeen(householdId: string, from: number, to: number): Promise<Array<{ deviceId: string; at: number }>>;
}

// ---------------------------------------------------------------------------------------------------
// Zigbee pairing (zigbee_devices)

export interface KnownZigbeeDevice extends ZigbeeDeviceInfo {
  gatewayId: string;
  /** epoch ms, hub clock: first heard of, and last heard of (bridge/devices is replayed on reconnects) */
  firstSeenAt: number;
  updatedAt: number;
}

/** The Zigbee devices each gateway's Zigbee2MQTT knows; writes run inside the intake's group commit. */
export interface PairingStore {
  /** Adds or updates one device (bridge/event); a field not carried (null) keeps what was known. */
  seen(gatewayId: string, d: ZigbeeDeviceInfo, at: number): Promise<void>;
  /** The gateway's whole network (bridge/devices): devices not in it have left. */
  replace(gatewayId: string, devices: readonly ZigbeeDeviceInfo[], at: number): Promise<void>;
  left(gatewayId: string, ieeeAddress: string): Promise<void>;
  /** Known devices, of one gateway or of all, the newest on the network first. */
  list(gatewayId?: string): Promise<KnownZigbeeDevice[]>;
}

// ---------------------------------------------------------------------------------------------------

/** Every store of the ingest room, as the composition root (hub.ts) hands them to its parts. */
export interface IngestStore {
  intake: IntakeStore;
  presence: PresenceStore;
  outbox: OutboxStore;
  quarantine: QuarantineStore;
  retention: RetentionStore;
  history: HistoryStore;
  pairing: PairingStore;
}
