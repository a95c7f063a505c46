/**
 * A set that keeps at most `max` entries, least recently added first out: remembered successes
 * ("this id has authenticated from this address before") that must not grow without bound.
 */
export class BoundedSet {
  readonly #max: number;
  readonly #items = new Set<string>();

  constructor(max: number) {
    this.#max = max;
  }

  has(key: string): boolean {
    return this.#items.has(key);
  }

  add(key: string): void {
    this.#items.delete(key);
    this.#items.add(key);
    if (this.#items.size > this.#max) {
      const oldest = this.#items.values().next();
      if (!oldest.done) this.#items.delete(oldest.value);
    }
  }
}
