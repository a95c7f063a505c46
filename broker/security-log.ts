import type { EventBus } from '../kernel/bus.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Db } from '../kernel/db.ts';
import type { Logger } from '../kernel/logger.ts';
import { KeyedTokenBucket, perMinute } from '../kernel/token-bucket.ts';
import type { BrokerMetrics } from './broker-metrics.ts';

export type SecurityEventKind =
  | 'bad_credentials'
  | 'client_id_mismatch'
  | 'unknown_client'
  | 'disabled_client'
  | 'empty_client_id'
  | 'will_denied'
  | 'connect_rate_limited'
  | 'client_flapping'
  | 'publish_denied'
  | 'subscribe_denied'
  | 'topic_too_deep'
  | 'packet_too_large'
  | 'malformed_packet'
  | 'unsupported_protocol';

export interface SecurityEvent {
  kind: SecurityEventKind;
  clientId?: string | undefined;
  address?: string | undefined;
  detail: string;
}

export interface SecurityLog {
  record(event: SecurityEvent): void;
}

/**
 * Rows (and bus events) per (kind, address) per minute. Past it, events are still counted in
 * hub_mqtt_security_events_total and logged at debug, and the next row says how many were folded into it,
 * so one address hammering the broker cannot flood the table or the operators' live feed.
 */
const ROWS_PER_MINUTE_PER_SOURCE = 30;

/** Records every refusal: a `security_events` row, a `securityEvent` on the bus, a metric, a warning log. */
export function createSecurityLog(deps: {
  db: Db;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  metrics: BrokerMetrics;
}): SecurityLog {
  const { db, bus, clock, log, metrics } = deps;
  const rowBudget = new KeyedTokenBucket({
    ...perMinute(ROWS_PER_MINUTE_PER_SOURCE),
    clock,
    maxKeys: 10_000,
  });
  const suppressed = new Map<string, number>();

  return {
    record(event) {
      metrics.securityEvents.inc({ kind: event.kind });
      const source = `${event.kind}|${event.address ?? ''}`;
      if (!rowBudget.take(source)) {
        // Bounded like the budget: past it only the folded counts in row details are lost, not the metric.
        if (suppressed.size >= 10_000 && !suppressed.has(source)) suppressed.clear();
        suppressed.set(source, (suppressed.get(source) ?? 0) + 1);
        log.debug({ securityEvent: event }, 'security event (row suppressed)');
        return;
      }
      const folded = suppressed.get(source) ?? 0;
      suppressed.delete(source);
      const detail = folded > 0 ? `${event.detail} (+${folded} similar since the last row)` : event.detail;
      log.warn(
        { kind: event.kind, clientId: event.clientId, source: event.address, detail },
        'security event',
      );
      try {
        db.prepare(
          'INSERT INTO security_events (at, kind, client_id, address, detail) VALUES (?, ?, ?, ?, ?)',
        ).run(clock.now(), event.kind, event.clientId ?? null, event.address ?? null, detail);
      } catch (err) {
        log.error({ err, kind: event.kind }, 'could not store a security event');
      }
      bus.emit('securityEvent', {
        kind: event.kind,
        clientId: event.clientId,
        address: event.address,
        detail,
      });
    },
  };
}
