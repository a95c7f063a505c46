/**
 * Runs async jobs at most `concurrency` at a time, lower priority numbers first, in arrival order within
 * a priority. Used for scrypt verifications: after a hub restart every device connects at once and each
 * first connect costs one scrypt; the call buttons and wristbands (the lifeline) go first.
 */
export class PriorityRunner {
  readonly #concurrency: number;
  readonly #queues: Array<Array<() => void>> = [];
  #running = 0;

  constructor(concurrency: number) {
    this.#concurrency = Math.max(1, concurrency);
  }

  /** Jobs waiting (not yet started). */
  get waiting(): number {
    return this.#queues.reduce((n, q) => n + (q?.length ?? 0), 0);
  }

  run<T>(priority: number, job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.#running++;
        job()
          .then(resolve, reject)
          .finally(() => {
            this.#running--;
            this.#next();
          });
      };
      const p = Math.max(0, Math.floor(priority));
      this.#queues[p] ??= [];
      this.#queues[p].push(start);
      this.#next();
    });
  }

  #next(): void {
    while (this.#running < this.#concurrency) {
      const queue = this.#queues.find((q) => q !== undefined && q.length > 0);
      const start = queue?.shift();
      if (!start) return;
      start();
    }
  }
}
