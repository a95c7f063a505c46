import type { SecurityEventKind } from '../store/types.ts';

/** A security event as the broker's log keeps it (table security_events). */
export interface StoredSecurityEvent {
  id: number;
  /** epoch ms, hub clock */
  at: number;
  kind: SecurityEventKind;
  clientId: string | null;
  address: string | null;
  detail: string;
}

/**
 * The broker room's read side for the other rooms (the consoles, the tests): its table security_events
 * is read only here. Async although SQLite answers at once.
 */
export interface BrokerQueries {
  /** Security events, oldest first; of one kind and/or one client when given. */
  securityEvents(filter?: { kind?: SecurityEventKind; clientId?: string }): Promise<StoredSecurityEvent[]>;
}
