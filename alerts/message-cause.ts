import { AsyncLocalStorage } from 'node:async_hooks';

interface Cause {
  /** when the broker received the message's PUBLISH, epoch ms, hub clock */
  receivedAt: number;
  /** false once the rules are done with the message */
  live: boolean;
}

/**
 * The device message the rules are reacting to, while they react to it: what an incident opened from it
 * records as its path's `received` (incidents/alarm-path.ts). Carried in the async context of the rules'
 * run (inside the message's group commit), so a timer or a silence that raises an alarm meanwhile is not
 * taken for the message's doing; and closed when the run ends, so a timer the run armed (its callback
 * keeps the async context) raises later with no message behind it.
 */
export class MessageCause {
  readonly #context = new AsyncLocalStorage<Cause>();

  /** Runs the rules' reaction to a message received at `receivedAt`. */
  async during(receivedAt: number, fn: () => Promise<void>): Promise<void> {
    const cause: Cause = { receivedAt, live: true };
    try {
      await this.#context.run(cause, fn);
    } finally {
      cause.live = false;
    }
  }

  /** When the PUBLISH the rules are reacting to now was received; null outside such a reaction. */
  receivedAt(): number | null {
    const cause = this.#context.getStore();
    return cause?.live ? cause.receivedAt : null;
  }
}
