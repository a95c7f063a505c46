import type { Logger } from '../kernel/logger.ts';
import type { CanonicalMessage } from './canonical.ts';

export type InCommitProcessor = (message: CanonicalMessage) => void | Promise<void>;

/**
 * Work that must be durable together with an accepted message (the rule engine's state: alarms,
 * pending timers): it runs inside the message's group-commit transaction (awaited in turn), so the message
 * and what it caused commit with one sync, or neither does, and the device is acknowledged after both.
 * Each processor is isolated: one that throws is logged, the others still run.
 */
export class InCommitProcessors {
  readonly #log: Logger;
  #list: Array<{ owner: string; fn: InCommitProcessor }> = [];

  constructor(log: Logger) {
    this.#log = log;
  }

  add(owner: string, fn: InCommitProcessor): void {
    this.#list.push({ owner, fn });
  }

  removeOwner(owner: string): void {
    this.#list = this.#list.filter((p) => p.owner !== owner);
  }

  async run(message: CanonicalMessage): Promise<void> {
    for (const p of this.#list) {
      try {
        await p.fn(message);
      } catch (err) {
        this.#log.error({ err, owner: p.owner, deviceId: message.deviceId }, 'in-commit processor failed');
      }
    }
  }
}
