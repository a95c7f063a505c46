import type { Db } from '../../kernel/db.ts';
import { newestFirst } from '../../kernel/newest-first.ts';
import type { Row } from '../../kernel/registry/rows.ts';

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
/** pending: an attempt is due (or running); delivered; failed: given up (attempts spent or refused) */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** One delivery of one notification to one target (a webhook URL, a device). */
export interface Delivery {
  id: number;
  /** epoch ms, hub clock, it was created */
  at: number;
  channel: string;
  /** the webhook URL or the device id */
  target: string;
  /** the notification's event (types.ts NotificationEvent) */
  event: string;
  incidentId: string;
  status: DeliveryStatus;
  attempts: number;
  lastError: string | null;
  /** epoch ms of the next attempt while pending, else null */
  nextAttemptAt: number | null;
  deliveredAt: number | null;
}

/** The deliveries questions the console asks (console/routes/notifications.ts). */
export interface DeliveryLogReader {
  list(opts: {
    limit: number;
    beforeId?: number | undefined;
    status?: DeliveryStatus | undefined;
    channel?: string | undefined;
  }): Delivery[];
}

const toDelivery = (r: Row): Delivery => ({
  id: Number(r.id),
  at: Number(r.at),
  channel: String(r.channel),
  target: String(r.target),
  event: String(r.event),
  incidentId: String(r.incident_id),
  status: String(r.status) as DeliveryStatus,
  attempts: Number(r.attempts),
  lastError: r.last_error === null ? null : String(r.last_error),
  nextAttemptAt: r.next_attempt_at === null ? null : Number(r.next_attempt_at),
  deliveredAt: r.delivered_at === null ? null : Number(r.delivered_at),
});

/** The notification_deliveries table (migration 7). */
export class DeliveryLog implements DeliveryLogReader {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** A new pending delivery; `body` is what a retry sends again (kept until delivered or given up). */
  create(d: {
    at: number;
    channel: string;
    target: string;
    event: string;
    incidentId: string;
    body: string | null;
  }): number {
    const result = this.#db
      .prepare(
        `INSERT INTO notification_deliveries (at, channel, target, event, incident_id, status, attempts, body)
         VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)`,
      )
      .run(d.at, d.channel, d.target, d.event, d.incidentId, d.body);
    return Number(result.lastInsertRowid);
  }

  delivered(id: number, attempts: number, at: number): void {
    this.#db
      .prepare(
        `UPDATE notification_deliveries SET status = 'delivered', attempts = ?, delivered_at = ?,
         next_attempt_at = NULL, body = NULL WHERE id = ?`,
      )
      .run(attempts, at, id);
  }

  /** A failed attempt: retried at `nextAttemptAt`, or given up (null). */
  attemptFailed(id: number, attempts: number, error: string, nextAttemptAt: number | null): void {
    this.#db
      .prepare(
        `UPDATE notification_deliveries SET attempts = ?, last_error = ?, next_attempt_at = ?,
         status = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END,
         body = CASE WHEN ? IS NULL THEN NULL ELSE body END WHERE id = ?`,
      )
      .run(attempts, error.slice(0, 500), nextAttemptAt, nextAttemptAt, nextAttemptAt, id);
  }

  /** Every pending delivery with what it sends, oldest first (the outbox's work). */
  pendingAll(): Array<Delivery & { body: string }> {
    return this.#db
      .prepare(
        `SELECT * FROM notification_deliveries WHERE status = 'pending' AND body IS NOT NULL ORDER BY id`,
      )
      .all()
      .map((r) => ({ ...toDelivery(r), body: String(r.body) }));
  }

  get(id: number): Delivery | null {
    const row = this.#db.prepare('SELECT * FROM notification_deliveries WHERE id = ?').get(id);
    return row ? toDelivery(row) : null;
  }

  list(opts: Parameters<DeliveryLogReader['list']>[0]): Delivery[] {
    const filters: Array<[string, string[]]> = [];
    if (opts.status) filters.push(['status = ?', [opts.status]]);
    if (opts.channel) filters.push(['channel = ?', [opts.channel]]);
    return newestFirst(this.#db, 'notification_deliveries', {
      filters,
      beforeId: opts.beforeId,
      limit: opts.limit,
    }).map(toDelivery);
  }
}
