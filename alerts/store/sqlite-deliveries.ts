import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import { newestFirst } from '../../kernel/store/newest-first.ts';
import type { Row } from './sqlite-rows.ts';
import type { Delivery, DeliveryStatus, DeliveryStore } from './types.ts';

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

const CREATE = `INSERT INTO notification_deliveries (at, channel, target, event, incident_id, status, attempts, body)
  VALUES (?, ?, ?, ?, ?, 'pending', 0, ?)`;
const DELIVERED = `UPDATE notification_deliveries SET status = 'delivered', attempts = ?, delivered_at = ?,
  next_attempt_at = NULL, body = NULL WHERE id = ?`;
const FAILED = `UPDATE notification_deliveries SET attempts = ?, last_error = ?, next_attempt_at = ?,
  status = CASE WHEN ? IS NULL THEN 'failed' ELSE 'pending' END,
  body = CASE WHEN ? IS NULL THEN NULL ELSE body END WHERE id = ?`;
const PENDING = `SELECT * FROM notification_deliveries WHERE status = 'pending' AND body IS NOT NULL ORDER BY id`;

/** The notification deliveries (`notification_deliveries`, migration 7) on the embedded store. */
export function createSqliteDeliveryStore(db: Db): DeliveryStore {
  const conn = connectionOf(db);
  return {
    create: (d) =>
      conn.use(() =>
        Number(
          conn.statement(CREATE).run(d.at, d.channel, d.target, d.event, d.incidentId, d.body)
            .lastInsertRowid,
        ),
      ),
    delivered: (id, attempts, at) =>
      conn.use(() => {
        conn.statement(DELIVERED).run(attempts, at, id);
      }),
    attemptFailed: (id, attempts, error, nextAttemptAt) =>
      conn.use(() => {
        conn
          .statement(FAILED)
          .run(attempts, error.slice(0, 500), nextAttemptAt, nextAttemptAt, nextAttemptAt, id);
      }),
    pendingAll: () =>
      conn.use(() =>
        conn
          .statement(PENDING)
          .all()
          .map((r) => ({ ...toDelivery(r), body: String(r.body) })),
      ),
    pendingCounts: () =>
      conn.use(() =>
        conn
          .statement(
            "SELECT channel, COUNT(*) AS n FROM notification_deliveries WHERE status = 'pending' GROUP BY channel",
          )
          .all()
          .map((r) => ({ channel: String(r.channel), count: Number(r.n) })),
      ),
    get: (id) =>
      conn.use(() => {
        const row = conn.statement('SELECT * FROM notification_deliveries WHERE id = ?').get(id);
        return row ? toDelivery(row) : null;
      }),
    list: (opts) =>
      conn.use((raw) => {
        const filters: Array<[string, string[]]> = [];
        if (opts.status) filters.push(['status = ?', [opts.status]]);
        if (opts.channel) filters.push(['channel = ?', [opts.channel]]);
        return newestFirst(raw, 'notification_deliveries', {
          filters,
          beforeId: opts.beforeId,
          limit: opts.limit,
        }).map(toDelivery);
      }),
  };
}
