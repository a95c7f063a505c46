/**
 * Last Wills outside a client's own topics (device-protocol.md "Topics"): the connection is accepted and
 * the will is dropped, never published. A Mosquitto bridge with its default `notifications true` sets
 * its will on `$SYS/broker/connection/{remote_clientid}/state`, so refusing such a CONNECT would lock
 * every default bridge out; publishing it would let a client write outside its prefix.
 */
import type { Client } from 'aedes';
import { mayPublish, type Principal } from './acl.ts';
import type { ClientTable } from './clients.ts';
import type { SecurityLog } from './security-log.ts';

/**
 * Clients whose dropped will was already logged, at most this many remembered (a county has ~10k
 * devices and gateways; beyond it the set starts over and a client may be logged once more).
 */
const MAX_REMEMBERED = 100_000;

/** aedes 1.2 holds the CONNECT's will in `_will` from before `authenticate` until its `storeWill` step. */
type ClientWithPendingWill = Client & { _will?: unknown };

export class WillPolicy {
  readonly #security: SecurityLog;
  readonly #clients: ClientTable;
  /** `clientId\0willTopic` of every drop already logged since the hub started */
  readonly #logged = new Set<string>();

  constructor(deps: { security: SecurityLog; clients: ClientTable }) {
    this.#security = deps.security;
    this.#clients = deps.clients;
  }

  /**
   * Called once the client is authenticated: drops a will it may not publish and logs `will_denied` the
   * first time this client sets this will topic (a bridge reconnecting every few seconds logs one row).
   */
  admit(client: Client, who: Principal, willTopic: string | null): void {
    if (willTopic === null) return;
    const decision = mayPublish(who, willTopic);
    if (decision.allowed) return;
    (client as ClientWithPendingWill)._will = null;
    const key = `${who.id}\u0000${willTopic}`;
    if (this.#logged.has(key)) return;
    if (this.#logged.size >= MAX_REMEMBERED) this.#logged.clear();
    this.#logged.add(key);
    this.#security.record({
      kind: 'will_denied',
      clientId: who.id,
      address: this.#clients.connection(client).address,
      // The topic is attacker-chosen: bounded here, the rest of the row is ours.
      detail: `Last Will on ${willTopic.slice(0, 200)} dropped (connection accepted): ${decision.reason}`,
    });
  }
}
