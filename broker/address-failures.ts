import { BoundedSet } from '../kernel/bounded-set.ts';
import type { KeyedTokenBucket } from '../kernel/token-bucket.ts';

/**
 * The per-address connect limit, counted in failed attempts. Many devices share one public address
 * (4G devices behind a carrier NAT, a building behind one router), so a fleet reconnecting after a
 * restart must not spend the budget: only connects that fail authentication do. Once an address has
 * spent it (a guesser), connects from it get CONNACK 3, except for ids that have already authenticated
 * from that address (the OWASP "device cookie" idea): a guesser behind the NAT cannot lock out its
 * neighbours that were connected before.
 */
export class AddressFailures {
  readonly #budget: KeyedTokenBucket;
  /** `address NUL clientId` pairs that authenticated */
  readonly #known: BoundedSet;

  constructor(budget: KeyedTokenBucket, maxKnown = 200_000) {
    this.#budget = budget;
    this.#known = new BoundedSet(maxKnown);
  }

  /** May a CONNECT from `address` claiming `clientId` be verified at all? */
  allows(address: string, clientId: string): boolean {
    return this.#budget.has(address) || this.#known.has(`${address}\u0000${clientId}`);
  }

  failed(address: string): void {
    this.#budget.take(address);
  }

  succeeded(address: string, clientId: string): void {
    this.#known.add(`${address}\u0000${clientId}`);
  }
}
