import type { Client } from 'aedes';
import type { ClientKind, Principal } from './acl.ts';

export type Transport = 'tcp' | 'tls' | 'ws';

/** Where a connection came from; known before its CONNECT. */
export interface ConnectionInfo {
  /** the peer's IP address (IPv4-mapped IPv6 shown as IPv4) */
  address: string;
  transport: Transport;
}

/** What preConnect learnt from the CONNECT packet, for authenticate to use. */
export interface ConnectAttempt {
  /** the clientId exactly as sent (aedes replaces an empty one with a generated id before authenticate) */
  clientId: string;
  /** a refusal decided before authentication; authenticate answers it with its CONNACK code */
  refusal: 'rate_limited_address' | 'empty_client_id' | null;
  willTopic: string | null;
}

/** An authenticated client. */
export interface Session extends Principal {
  kind: ClientKind;
  householdId: string;
  /**
   * the stored hash the secret was verified against (and its fast replacement after an upgrade); any
   * other one later means the secret was rotated
   */
  secretHashes: readonly string[];
  address: string;
  transport: Transport;
  /** the device's type (button, motion …), or `gateway`: for the connected-devices gauge */
  deviceType: string;
}

export const normalizeAddress = (address: string | undefined) =>
  (address ?? 'unknown').replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');

/**
 * What the broker knows about each aedes Client, from accept to close. WeakMaps: nothing outlives the
 * Client object. `live` maps an id to its one connected client (a takeover replaces it).
 */
export class ClientTable {
  readonly #connections = new WeakMap<Client, ConnectionInfo>();
  readonly #attempts = new WeakMap<Client, ConnectAttempt>();
  readonly #sessions = new WeakMap<Client, Session>();
  readonly #live = new Map<string, Client>();

  accepted(client: Client, info: ConnectionInfo): void {
    this.#connections.set(client, info);
  }

  connection(client: Client): ConnectionInfo {
    return this.#connections.get(client) ?? { address: 'unknown', transport: 'tcp' };
  }

  setAttempt(client: Client, attempt: ConnectAttempt): void {
    this.#attempts.set(client, attempt);
  }

  attempt(client: Client): ConnectAttempt | undefined {
    return this.#attempts.get(client);
  }

  authenticated(client: Client, session: Session): void {
    this.#sessions.set(client, session);
  }

  session(client: Client | null): Session | undefined {
    return client ? this.#sessions.get(client) : undefined;
  }

  /** Marks `client` as the connected one for its id; returns its session. */
  markLive(client: Client): Session | undefined {
    const session = this.#sessions.get(client);
    if (session) this.#live.set(session.id, client);
    return session;
  }

  /** Forgets `client` as connected; returns its session when it was the live one for its id. */
  markGone(client: Client): Session | undefined {
    const session = this.#sessions.get(client);
    if (!session || this.#live.get(session.id) !== client) return undefined;
    this.#live.delete(session.id);
    return session;
  }

  live(id: string): Client | undefined {
    return this.#live.get(id);
  }

  liveCount(): number {
    return this.#live.size;
  }

  /** Connected clients by device type (`gateway` for gateways). */
  liveByType(): Array<[{ type: string }, number]> {
    const counts = new Map<string, number>();
    for (const client of this.#live.values()) {
      const type = this.#sessions.get(client)?.deviceType ?? 'unknown';
      counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    return [...counts].map(([type, n]) => [{ type }, n]);
  }
}
