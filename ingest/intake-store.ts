import type { StatementSync } from 'node:sqlite';
import type { Db } from '../kernel/db.ts';
import { newestFirst } from '../kernel/newest-first.ts';
import type { CanonicalMessage } from './canonical.ts';

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

/** Prepared SQL of the durable intake. Every write here runs inside a group commit. */
export class IntakeStore {
  readonly #db: Db;
  readonly #insertMessage: StatementSync;
  readonly #insertOutbox: StatementSync;
  readonly #upsertSeen: StatementSync;
  readonly #getSeen: StatementSync;
  readonly #insertQuarantine: StatementSync;
  readonly #bumpFault: StatementSync;
  readonly #upsertMeter: StatementSync;
  readonly #insertMeterFault: StatementSync;

  constructor(db: Db) {
    this.#db = db;
    this.#insertMessage = db.prepare(
      `INSERT INTO messages (device_id, household_id, channel, seq, qos, received_at, device_time, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertOutbox = db.prepare('INSERT INTO outbox (message_id, enqueued_at) VALUES (?, ?)');
    this.#upsertSeen = db.prepare(
      `INSERT INTO seen_seq (device_id, seq, payload_hash, received_at) VALUES (?, ?, ?, ?)
       ON CONFLICT(device_id, seq) DO UPDATE SET payload_hash = excluded.payload_hash, received_at = excluded.received_at`,
    );
    this.#getSeen = db.prepare(
      'SELECT payload_hash, received_at FROM seen_seq WHERE device_id = ? AND seq = ?',
    );
    this.#insertQuarantine = db.prepare(
      `INSERT INTO quarantine (at, client_id, device_id, topic, code, detail, seq, size, payload)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#bumpFault = db.prepare(
      `INSERT INTO device_faults (device_id, count, last_code, last_at) VALUES (?, 1, ?, ?)
       ON CONFLICT(device_id) DO UPDATE SET count = count + 1, last_code = excluded.last_code, last_at = excluded.last_at
       RETURNING count, flagged_at`,
    );
    this.#upsertMeter = db.prepare(
      `INSERT INTO meter_state (device_id, total_liters, at) VALUES (?, ?, ?)
       ON CONFLICT(device_id) DO UPDATE SET total_liters = excluded.total_liters, at = excluded.at`,
    );
    this.#insertMeterFault = db.prepare(
      'INSERT INTO meter_faults (device_id, at, previous_liters, reported_liters) VALUES (?, ?, ?, ?)',
    );
  }

  /** Stores an accepted message and queues it for InfluxDB; returns its id. */
  insertMessage(m: CanonicalMessage, qos: number, payloadHash: string | null): number {
    const result = this.#insertMessage.run(
      m.deviceId,
      m.householdId,
      m.channel,
      m.seq,
      qos,
      m.receivedAt,
      m.deviceTime,
      JSON.stringify(m),
    );
    const id = Number(result.lastInsertRowid);
    this.#insertOutbox.run(id, m.receivedAt);
    if (m.seq !== null && payloadHash) this.#upsertSeen.run(m.deviceId, m.seq, payloadHash, m.receivedAt);
    return id;
  }

  seen(deviceId: string, seq: number): { hash: string; at: number } | null {
    const row = this.#getSeen.get(deviceId, seq);
    return row ? { hash: String(row.payload_hash), at: Number(row.received_at) } : null;
  }

  /** The newest `received_at` of the dedupe index, null when empty. */
  newestSeenAt(): number | null {
    const row = this.#db.prepare('SELECT MAX(received_at) AS at FROM seen_seq').get() as {
      at: number | null;
    };
    return row.at === null ? null : Number(row.at);
  }

  pruneSeen(olderThanMs: number): number {
    return Number(this.#db.prepare('DELETE FROM seen_seq WHERE received_at < ?').run(olderThanMs).changes);
  }

  insertQuarantine(q: QuarantineInput): void {
    this.#insertQuarantine.run(
      q.at,
      q.clientId,
      q.deviceId,
      q.topic,
      q.code,
      q.detail,
      q.seq,
      q.payload.length,
      q.payload,
    );
  }

  /** Counts a fault against a device; returns the new count and whether it was already flagged. */
  bumpFault(deviceId: string, code: string, at: number): { count: number; flagged: boolean } {
    const row = this.#bumpFault.get(deviceId, code, at);
    return {
      count: Number(row?.count ?? 1),
      flagged: row?.flagged_at !== null && row?.flagged_at !== undefined,
    };
  }

  flagFaulty(deviceId: string, at: number): void {
    this.#db.prepare('UPDATE device_faults SET flagged_at = ? WHERE device_id = ?').run(at, deviceId);
  }

  meterTotal(deviceId: string): number | null {
    const row = this.#db.prepare('SELECT total_liters FROM meter_state WHERE device_id = ?').get(deviceId);
    return row ? Number(row.total_liters) : null;
  }

  setMeterTotal(deviceId: string, liters: number, at: number): void {
    this.#upsertMeter.run(deviceId, liters, at);
  }

  recordMeterFault(deviceId: string, at: number, previous: number, reported: number): void {
    this.#insertMeterFault.run(deviceId, at, previous, reported);
  }

  listQuarantine(opts: { deviceId?: string; limit: number; beforeId?: number }): QuarantineEntry[] {
    return newestFirst(this.#db, 'quarantine', {
      filters: opts.deviceId ? [['device_id = ? OR client_id = ?', [opts.deviceId, opts.deviceId]]] : [],
      beforeId: opts.beforeId,
      limit: opts.limit,
    }).map((r) => ({
      id: Number(r.id),
      at: Number(r.at),
      clientId: String(r.client_id),
      deviceId: r.device_id === null ? null : String(r.device_id),
      topic: String(r.topic),
      code: String(r.code),
      detail: String(r.detail),
      seq: r.seq === null ? null : Number(r.seq),
      size: Number(r.size),
      payload: Buffer.from(r.payload as Uint8Array).toString('utf8'),
      resolvedAt: r.resolved_at === null || r.resolved_at === undefined ? null : Number(r.resolved_at),
      resolution: r.resolution === null || r.resolution === undefined ? null : String(r.resolution),
    }));
  }

  faults(): Array<{
    deviceId: string;
    count: number;
    lastCode: string;
    lastAt: number;
    flaggedAt: number | null;
  }> {
    return this.#db
      .prepare('SELECT * FROM device_faults ORDER BY last_at DESC')
      .all()
      .map((r) => ({
        deviceId: String(r.device_id),
        count: Number(r.count),
        lastCode: String(r.last_code),
        lastAt: Number(r.last_at),
        flaggedAt: r.flagged_at === null ? null : Number(r.flagged_at),
      }));
  }

  /**
   * Queues every stored message for InfluxDB again, as after a crash that lost InfluxDB's answers or an
   * InfluxDB restored from an older backup: a point written twice overwrites itself (same series and
   * time). Returns how many were queued that were not already.
   */
  requeueAllForInflux(): number {
    return Number(
      this.#db
        .prepare(
          'INSERT OR IGNORE INTO outbox (message_id, enqueued_at) SELECT id, received_at FROM messages',
        )
        .run().changes,
    );
  }

  counts(): { messages: number; outbox: number; quarantine: number } {
    const one = (sql: string) => Number((this.#db.prepare(sql).get() as { n: number }).n);
    return {
      messages: one('SELECT COUNT(*) AS n FROM messages'),
      outbox: one('SELECT COUNT(*) AS n FROM outbox'),
      quarantine: one('SELECT COUNT(*) AS n FROM quarantine'),
    };
  }
}
