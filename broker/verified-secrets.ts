import { createHash, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { MqttIdentity } from '../kernel/registry/types.ts';
import { verifySecret } from '../kernel/secrets.ts';
import { PriorityRunner } from './priority-runner.ts';

interface Entry {
  /** the stored scrypt hash the secret was verified against: a rotation elsewhere makes the entry stale */
  storedHash: string;
  /** sha256 of the secret that verified */
  digest: Buffer;
}

const sha256 = (secret: Buffer) => createHash('sha256').update(secret).digest();

/**
 * Remembers secrets that passed scrypt, so a reconnecting device costs one sha256 instead of ~50 ms of
 * scrypt. Holds only digests of secrets that verified; an entry counts only while the registry still has
 * the hash it was checked against, and `forget(id)` drops it when the registry reports a change.
 */
export class VerifiedSecrets {
  readonly #entries = new Map<string, Entry>();
  /**
   * Verdicts by stored hash and secret digest, in flight or done. Two identities share a stored hash
   * only when provisioned with the same hash string (salt included: the benchmarks' shared secret);
   * the same secret against the same hash gives the same verdict, so scrypt runs once for all of them.
   */
  readonly #byHash = new Map<string, Promise<boolean>>();
  readonly #maxEntries: number;
  /** scrypt is CPU-bound: one at a time per core, the lifeline's first (see verify's priority) */
  readonly #scrypt = new PriorityRunner(availableParallelism());

  constructor(maxEntries = 100_000) {
    this.#maxEntries = maxEntries;
  }

  /** Verifications waiting for a scrypt slot (a reconnect storm after a restart). */
  get waiting(): number {
    return this.#scrypt.waiting;
  }

  /**
   * `priority`: 0 first (call buttons, wristbands), then 1, 2 … — only matters while scrypt
   * verifications queue up.
   */
  async verify(identity: MqttIdentity, secret: Buffer, priority = 0): Promise<boolean> {
    const digest = sha256(secret);
    const cached = this.#entries.get(identity.id);
    if (cached && cached.storedHash === identity.secretHash && timingSafeEqual(cached.digest, digest))
      return true;
    const key = `${identity.secretHash}\u0000${digest.toString('base64')}`;
    let verdict = this.#byHash.get(key);
    if (!verdict) {
      verdict = this.#scrypt.run(priority, () => verifySecret(secret.toString('utf8'), identity.secretHash));
      if (this.#byHash.size >= this.#maxEntries) this.#byHash.clear();
      this.#byHash.set(key, verdict);
      // only successes are worth keeping (a wrong secret is retried by guessers with other secrets)
      verdict.then(
        (ok) => ok || this.#byHash.delete(key),
        () => this.#byHash.delete(key),
      );
    }
    const ok = await verdict;
    if (ok) {
      this.#entries.delete(identity.id);
      if (this.#entries.size >= this.#maxEntries) {
        const oldest = this.#entries.keys().next();
        if (!oldest.done) this.#entries.delete(oldest.value);
      }
      this.#entries.set(identity.id, { storedHash: identity.secretHash, digest });
    }
    return ok;
  }

  forget(id: string): void {
    this.#entries.delete(id);
  }

  get size(): number {
    return this.#entries.size;
  }
}
