import type { Origin, Problems } from './model.ts';

/** Ids seen so far in the file, per id space, to report duplicates with the line of the first. */
export class SeenIds {
  readonly #seen = new Map<string, { line: number; what: string }>();
  readonly #problems: Problems;
  constructor(problems: Problems) {
    this.#problems = problems;
  }

  /** False (and a problem) when `id` was already used in `space`. */
  claim(space: string, id: string, origin: Origin, field: string, what: string): boolean {
    const key = `${space}\u0000${id}`;
    const first = this.#seen.get(key);
    if (first) {
      const same = first.what === what ? 'twice' : `also as the id of a ${first.what}`;
      this.#problems.at(
        origin,
        field,
        `duplicate id ${JSON.stringify(id)}: used ${same} (first on line ${first.line})`,
      );
      return false;
    }
    this.#seen.set(key, { line: origin.line, what });
    return true;
  }
}
