import type { EventBus } from '../kernel/bus.ts';
import type { Clock } from '../kernel/clock.ts';
import type { Logger } from '../kernel/logger.ts';
import { KeyedTokenBucket, perMinute } from '../kernel/token-bucket.ts';
import type { BrokerMetrics } from './broker-metrics.ts';
import type { BrokerStore, SecurityEventKind } from './store/types.ts';

export type { SecurityEventKind };

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
  store: BrokerStore;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  metrics: BrokerMetrics;
}): SecurityLog {
  const { store, bus, clock, log, metrics } = deps;
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
      const row = {
        at: clock.now(),
        kind: event.kind,
        clientId: event.clientId ?? null,
        address: event.address ?? null,
        detail,
      };
      // Fire and forget: a refusal is never held up by its audit row (which waits while a group commit
      // holds the connection); the bus event follows the row, also when storing it failed (logged).
      void store
        .insertSecurityEvent(row)
        .catch((err: unknown) => log.error({ err, kind: event.kind }, 'could not store a security event'))
        .then(() =>
          bus.emit('securityEvent', {
            kind: event.kind,
            clientId: event.clientId,
            address: event.address,
            detail,
          }),
        );
    },
  };
}
