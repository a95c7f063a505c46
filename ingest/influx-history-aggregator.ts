import type { CanonicalMessage } from './canonical.ts';
import type { HistoryStore, HourCell, LocalMetric, StoredFacts } from './store/types.ts';

export type { HourCell, LocalMetric };

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;
/** The local history keeps this much: 30 days, ms. */
export const LOCAL_WINDOW_MS = 30 * DAY_MS;

/** The values a message adds to the hourly aggregates. */
export function localValues(m: StoredFacts): Array<[LocalMetric, number]> {
  if (m.channel === 'status') return [];
  const values: Array<[LocalMetric, number]> = [['seen', 1]];
  if (m.eventName === 'motion') values.push(['motion', 1]);
  if (m.usageLiters !== null) values.push(['usage_liters', m.usageLiters]);
  if (m.heartRate !== null) values.push(['heart_rate', m.heartRate]);
  if (m.spo2 !== null) values.push(['spo2', m.spo2]);
  if (m.battery !== null) values.push(['battery', m.battery]);
  return values;
}

/** The same facts from the message itself (the intake's object, just stored). */
export function factsOf(m: CanonicalMessage): StoredFacts {
  const r = m.readings;
  return {
    deviceId: m.deviceId,
    householdId: m.householdId,
    room: m.room,
    channel: m.channel,
    receivedAt: m.receivedAt,
    eventName: m.event?.name ?? null,
    usageLiters: r?.usageLiters ?? null,
    heartRate: r?.heartRate ?? null,
    spo2: r?.spo2 ?? null,
    battery: r?.battery ?? null,
  };
}

function fold(
  cells: Map<string, HourCell>,
  m: StoredFacts,
  metric: LocalMetric,
  hour: number,
  value: number,
): void {
  const key = `${m.deviceId}\u0000${metric}\u0000${hour}`;
  const c = cells.get(key);
  if (!c) {
    cells.set(key, {
      deviceId: m.deviceId,
      metric,
      hour,
      householdId: m.householdId,
      room: m.room,
      count: 1,
      sum: value,
      min: value,
      max: value,
      last: value,
      lastAt: m.receivedAt,
    });
    return;
  }
  c.count += 1;
  c.sum += value;
  c.min = Math.min(c.min, value);
  c.max = Math.max(c.max, value);
  if (m.receivedAt >= c.lastAt) {
    c.last = value;
    c.lastAt = m.receivedAt;
  }
  // the newest message names the household and room (a device moved between them keeps the latest)
  c.householdId = m.householdId;
  c.room = m.room;
}

/**
 * Keeps `hourly_stats` (migration 3) up to date from the message store, behind a persisted cursor that
 * moves in the same transaction as the aggregates: every message counts exactly once, also across a
 * crash, and the intake's write path is not touched.
 *
 * Two ways in. The intake tells `noteStored` each message it stored, with its row id, and those are
 * folded in memory; a catch-up writes them with the cursor when they cover every row after the cursor
 * (a count over the id range proves it). Otherwise (after a restart, or a row the intake did not tell
 * of) the memory is dropped and the rows are read back from the store, as before.
 */
export class HourlyAggregator {
  readonly #store: HistoryStore;
  /** folded from noteStored, not yet written */
  #memory = new Map<string, HourCell>();
  #memoryRows = 0;
  #memoryFirstId = 0;
  #memoryLastId = 0;
  /** the cursor as last read or written (0: not yet known) */
  #knownCursor = 0;
  #cursorRead = false;
  /** the catch-up in progress: catch-ups run one at a time */
  #catchingUp: Promise<number> | null = null;
  /** catch-ups that wrote what memory held / that read rows back from the store (observability, tests) */
  readonly catchUps = { fromMemory: 0, readBack: 0 };

  constructor(store: HistoryStore) {
    this.#store = store;
  }

  /**
   * Keeps hours aggregated elsewhere (history carried over from another hub, or a test's synthetic weeks):
   * each replaces the device's metric hour kept, if any; the cursor does not move.
   */
  importHours(cells: readonly HourCell[]): Promise<void> {
    return this.#store.replaceHours(cells);
  }

  /** A message the intake has just stored (durable), with its row id; ids arrive in increasing order. */
  noteStored(id: number, m: CanonicalMessage, nowMs: number): void {
    if (id <= this.#knownCursor || id <= this.#memoryLastId) return;
    if (this.#memoryRows === 0) this.#memoryFirstId = id;
    this.#memoryRows += 1;
    this.#memoryLastId = id;
    if (m.receivedAt < nowMs - LOCAL_WINDOW_MS) return;
    const facts = factsOf(m);
    const hour = Math.floor(m.receivedAt / HOUR_MS) * HOUR_MS;
    for (const [metric, value] of localValues(facts)) fold(this.#memory, facts, metric, hour, value);
  }

  /**
   * Aggregates up to `limit` messages not yet counted (or all those folded in memory, when they are
   * the next rows); returns how many it counted. One at a time: a call while one runs waits for it.
   */
  async catchUp(limit: number, nowMs: number): Promise<number> {
    while (this.#catchingUp) await this.#catchingUp.catch(() => 0);
    const mine = this.#catchUpOnce(limit, nowMs);
    this.#catchingUp = mine;
    try {
      return await mine;
    } finally {
      if (this.#catchingUp === mine) this.#catchingUp = null;
    }
  }

  async #catchUpOnce(limit: number, nowMs: number): Promise<number> {
    // Nothing stored since the last catch-up: no transaction (the connection stays free for the intake).
    if (
      this.#memoryRows === 0 &&
      this.#cursorRead &&
      !(await this.#store.hasMessagesAfter(this.#knownCursor))
    )
      return 0;
    return this.#store.transaction(() => this.#catchUp(limit, nowMs));
  }

  async #catchUp(limit: number, nowMs: number): Promise<number> {
    const store = this.#store;
    const cursor = await store.cursor(nowMs - LOCAL_WINDOW_MS);
    this.#knownCursor = cursor;
    this.#cursorRead = true;
    const fromMemory = await this.#takeMemory(cursor);
    if (fromMemory) {
      await store.addHours(fromMemory.cells.values());
      await store.setCursor(fromMemory.lastId);
      this.#knownCursor = fromMemory.lastId;
      this.catchUps.fromMemory++;
      return fromMemory.rows;
    }
    const rows = await store.factsAfter(cursor, limit);
    if (rows.length > 0) this.catchUps.readBack++;
    const oldest = nowMs - LOCAL_WINDOW_MS;
    // Folded per (device, metric, hour) first: one upsert per hour a device spoke in, not per message.
    const folded = new Map<string, HourCell>();
    for (const m of rows) {
      if (m.receivedAt < oldest) continue;
      const hour = Math.floor(m.receivedAt / HOUR_MS) * HOUR_MS;
      for (const [metric, value] of localValues(m)) fold(folded, m, metric, hour, value);
    }
    await store.addHours(folded.values());
    const last = rows.at(-1);
    if (last) {
      await store.setCursor(last.id);
      this.#knownCursor = last.id;
    }
    return rows.length;
  }

  /** The memory's cells when they are exactly the rows after `cursor`; else null (and the memory is dropped). */
  async #takeMemory(
    cursor: number,
  ): Promise<{ cells: Map<string, HourCell>; rows: number; lastId: number } | null> {
    const taken = { cells: this.#memory, rows: this.#memoryRows, lastId: this.#memoryLastId };
    const firstId = this.#memoryFirstId;
    this.#memory = new Map();
    this.#memoryRows = 0;
    this.#memoryLastId = 0;
    // ids only grow, so every folded id is in (cursor, lastId] when the first is; the count then proves
    // that none of that range is missing
    if (taken.rows === 0 || firstId <= cursor) return null;
    const inRange = await this.#store.countMessages(cursor, taken.lastId);
    return inRange === taken.rows ? taken : null;
  }

  /** Drops hours older than the local window; returns the rows removed. */
  prune(nowMs: number): Promise<number> {
    return this.#store.pruneHours(nowMs - LOCAL_WINDOW_MS);
  }
}
