/**
 * The broker room's store interface (design.md, "Rooms own their data"): its table security_events is
 * written only through it, and read through `../queries/`. Every method returns a Promise, even where
 * SQLite answers at once. Today's adapter: `sqlite.ts`.
 */
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

export interface SecurityEventRow {
  /** epoch ms, hub clock */
  at: number;
  kind: SecurityEventKind;
  clientId: string | null;
  address: string | null;
  detail: string;
}

export interface BrokerStore {
  insertSecurityEvent(e: SecurityEventRow): Promise<void>;
  /** Deletes up to `limit` security events older than `before` (retention); how many. */
  deleteSecurityEvents(before: number, limit: number): Promise<number>;
}
