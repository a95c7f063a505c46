import { createHash, timingSafeEqual } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { DeviceSecretHasher } from '../kernel/device-secrets.ts';
import type { MqttIdentity } from '../kernel/registry/types.ts';
import { verifySecret } from '../kernel/secrets.ts';
import { PriorityRunner } from './priority-runner.ts';

interface Entry {
  /** the stored scrypt hash the secret was verified against: a rotation elsewhere makes the entry stale */
  storedHash: string;
  /** sha256 of the secret that verified */
  digest: Buffer;
}

/** A legacy hash that verified, to be replaced by its fast form (see SecretUpgrades). */
export interface SecretUpgrade {
  id: string;
  kind: 'device' | 'gateway';
  from: string;
  to: string;
}

export interface VerifyResult {
  ok: boolean;
  /** the hash the session now stands on: the fast one after an upgrade, else the stored one */
  secretHash: string;
  scheme: 'hmac' | 'scrypt';
}

const sha256 = (secret: Buffer) => createHash('sha256').update(secret).digest();

/**
 * Verifies device and gateway secrets. The fast scheme (HMAC-SHA-256 under the hub's key, see
 * kernel/device-secrets.ts) is checked inline, ~2 µs. A legacy scrypt hash (provisioned before the fast
 * scheme) costs ~50 ms of CPU: those run one per core, the lifeline's first, and a secret that passes is
 * handed to `upgrade` so the device's next connect is fast too.
 */
export class VerifiedSecrets {
  readonly #hasher: DeviceSecretHasher;
  readonly #upgrade: (u: SecretUpgrade) => void;
  /** scrypt verdicts remembered by id, so a reconnect before the upgrade lands costs one sha256 */
  readonly #entries = new Map<string, Entry>();
  /**
   * scrypt verdicts by stored hash and secret digest, in flight or done. Two identities share a stored
   * hash only when provisioned with the same hash string (salt included: old benchmark stores); the same
   * secret against the same hash gives the same verdict, so scrypt runs once for all of them.
   */
  readonly #byHash = new Map<string, Promise<boolean>>();
  readonly #maxEntries: number;
  /** scrypt is CPU-bound: one at a time per core, the lifeline's first (see verify's priority) */
  readonly #scrypt = new PriorityRunner(availableParallelism());

  constructor(hasher: DeviceSecretHasher, upgrade: (u: SecretUpgrade) => void, maxEntries = 100_000) {
    this.#hasher = hasher;
    this.#upgrade = upgrade;
    this.#maxEntries = maxEntries;
  }

  /** Verifications waiting for a scrypt slot (legacy hashes in a reconnect storm). */
  get waiting(): number {
    return this.#scrypt.waiting;
  }

  /**
   * `priority`: 0 first (call buttons, wristbands), then 1, 2 … — only matters while legacy scrypt
   * verifications queue up.
   */
  async verify(identity: MqttIdentity, secret: Buffer, priority = 0): Promise<VerifyResult> {
    const stored = identity.secretHash;
    if (DeviceSecretHasher.scheme(stored) !== 'scrypt') {
      const ok = this.#hasher.verify(identity.id, secret.toString('utf8'), stored);
      return { ok, secretHash: stored, scheme: 'hmac' };
    }
    const ok = await this.#verifyScrypt(identity, secret, priority);
    if (!ok) return { ok, secretHash: stored, scheme: 'scrypt' };
    const to = this.#hasher.hash(identity.id, secret.toString('utf8'));
    this.#upgrade({ id: identity.id, kind: identity.kind, from: stored, to });
    return { ok, secretHash: to, scheme: 'scrypt' };
  }

  async #verifyScrypt(identity: MqttIdentity, secret: Buffer, priority: number): Promise<boolean> {
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
