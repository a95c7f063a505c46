import type { Clock } from '../kernel/clock.ts';
import type { RuleStateStore } from './store/types.ts';

/**
 * Small per-rule state that must survive a restart (a vital-sign streak, which devices are low on
 * battery, which are silent): JSON values by key (store/types.ts RuleStateStore).
 */
export class RuleState {
  readonly #store: RuleStateStore;
  readonly #clock: Clock;
  constructor(store: RuleStateStore, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  async get<T>(key: string): Promise<T | null> {
    return ((await this.#store.get(key)) as T | null) ?? null;
  }

  set(key: string, value: unknown): Promise<void> {
    return this.#store.set(key, value, this.#clock.now());
  }

  delete(key: string): Promise<void> {
    return this.#store.delete(key);
  }
}
