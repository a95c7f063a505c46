import type { Logger } from '../kernel/logger.ts';
import type { Registry } from '../kernel/registry/index.ts';
import type { SecretUpgrade } from './verified-secrets.ts';

/**
 * Writes verified legacy hashes' fast replacements, batched: a reconnect storm of a county provisioned
 * before the fast scheme would otherwise cost one transaction (one sync) per device. Flushed once per
 * turn of the event loop. An upgrade that is lost (a crash first) is made again at the next connect.
 */
export class SecretUpgrades {
  readonly #registry: Registry;
  readonly #log: Logger;
  readonly #onWritten: (n: number) => void;
  #pending: SecretUpgrade[] = [];
  #scheduled = false;

  constructor(registry: Registry, log: Logger, onWritten: (n: number) => void) {
    this.#registry = registry;
    this.#log = log;
    this.#onWritten = onWritten;
  }

  add(upgrade: SecretUpgrade): void {
    this.#pending.push(upgrade);
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => void this.flush());
  }

  /** Never rejects: a batch that could not be written is logged (and upgraded again at next connect). */
  async flush(): Promise<void> {
    this.#scheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length === 0) return;
    try {
      this.#onWritten(await this.#registry.devices.upgradeSecretHashes(batch));
    } catch (err) {
      this.#log.error(
        { err, count: batch.length },
        'device secret upgrades not written; retried at next connect',
      );
    }
  }
}
