/**
 * The main thread's side of the import checker: starts check-worker.ts on a worker thread (the body is
 * handed over, not copied) and pulls the checked batches from it one at a time. A store that has no file
 * (in memory) cannot be opened a second time, so there the check runs on the main thread instead.
 */
import { Worker } from 'node:worker_threads';
import type { Registry } from '../registry/index.ts';
import type {
  CheckedBatch,
  CheckedPeople,
  CheckerData,
  CheckerMessage,
  CheckerRequest,
  CheckPhase,
} from './check-protocol.ts';
import { type CheckedImport, checkImport } from './checked-import.ts';
import type { BodyMediaType } from './import-body.ts';
import type { ImportProblem } from './index.ts';

export type CheckOutcome =
  | { kind: 'checked'; households: number; batches: number; format: 'json' | 'csv' }
  | { kind: 'refused'; problems: ImportProblem[] }
  | { kind: 'invalid-field'; path: string; reason: string };

export interface ImportChecker {
  /** the checker's verdict on the file */
  readonly outcome: Promise<CheckOutcome>;
  batch(index: number): Promise<CheckedBatch>;
  people(): Promise<CheckedPeople>;
  secrets(): Promise<Array<{ id: string; secret: string }>>;
  /** Ends the checker: its copy of the file and the secrets are gone. */
  end(): Promise<void>;
}

export interface CheckerOptions {
  registry: Registry;
  /** the store's file, or null for a store in memory */
  dbPath: string | null;
  mediaType: BodyMediaType;
  body: Uint8Array;
  batchSize: number;
  onPhase: (phase: CheckPhase) => void;
}

export function startImportChecker(o: CheckerOptions): ImportChecker {
  return o.dbPath === null ? new InThreadChecker(o) : new WorkerChecker({ ...o, dbPath: o.dbPath });
}

/** Settles `outcome` from the checker's first verdict message; true when the message was one. */
function verdict(m: CheckerMessage, settle: (o: CheckOutcome) => void, fail: (e: Error) => void): boolean {
  if (m.type === 'phase' || m.type === 'batch' || m.type === 'people' || m.type === 'secrets') return false;
  if (m.type === 'checked')
    settle({ kind: 'checked', households: m.households, batches: m.batches, format: m.format });
  else if (m.type === 'refused') settle({ kind: 'refused', problems: m.problems });
  else if (m.type === 'invalid-field') settle({ kind: 'invalid-field', path: m.path, reason: m.reason });
  else fail(new Error(`import checker: ${m.message}`));
  return true;
}

class WorkerChecker implements ImportChecker {
  readonly outcome: Promise<CheckOutcome>;
  readonly #worker: Worker;
  /** the one request in flight (the job asks one thing at a time) */
  #pending: { resolve: (m: CheckerMessage) => void; reject: (e: Error) => void } | null = null;

  constructor(o: CheckerOptions & { dbPath: string }) {
    // A copy of its own (one memcpy, ~10 ms for 44 MB): Node's Buffers may sit in a shared pool, and
    // those cannot be handed over.
    const body = new Uint8Array(o.body);
    const data: CheckerData = { dbPath: o.dbPath, mediaType: o.mediaType, body, batchSize: o.batchSize };
    this.#worker = new Worker(new URL('./check-worker.ts', import.meta.url), {
      workerData: data,
      transferList: [body.buffer as ArrayBuffer],
    });
    this.outcome = new Promise<CheckOutcome>((settle, fail) => {
      this.#worker.on('message', (m: CheckerMessage) => {
        if (m.type === 'phase') o.onPhase(m.phase);
        else if (verdict(m, settle, fail)) return;
        else this.#take(m);
      });
      this.#worker.on('error', (err) => {
        fail(err);
        this.#pending?.reject(err);
      });
      this.#worker.on('exit', (code) => {
        const err = new Error(`import checker ended (exit code ${code})`);
        fail(err);
        this.#pending?.reject(err);
      });
    });
    // The job reads the outcome; this keeps an ended checker's rejection from going unhandled.
    this.outcome.catch(() => undefined);
  }

  #take(m: CheckerMessage): void {
    const pending = this.#pending;
    this.#pending = null;
    pending?.resolve(m);
  }

  #ask<T extends CheckerMessage['type']>(
    request: CheckerRequest,
    answer: T,
  ): Promise<Extract<CheckerMessage, { type: T }>> {
    if (this.#pending !== null) return Promise.reject(new Error('import checker: one request at a time'));
    return new Promise((resolve, reject) => {
      this.#pending = {
        resolve: (m) =>
          m.type === answer
            ? resolve(m as Extract<CheckerMessage, { type: T }>)
            : reject(new Error(`import checker answered ${m.type} to ${request.type}`)),
        reject,
      };
      this.#worker.postMessage(request);
    });
  }

  async batch(index: number): Promise<CheckedBatch> {
    return (await this.#ask({ type: 'batch', index }, 'batch')).batch;
  }

  async people(): Promise<CheckedPeople> {
    return (await this.#ask({ type: 'people' }, 'people')).people;
  }

  async secrets(): Promise<Array<{ id: string; secret: string }>> {
    return (await this.#ask({ type: 'secrets' }, 'secrets')).secrets;
  }

  async end(): Promise<void> {
    await this.#worker.terminate();
  }
}

class InThreadChecker implements ImportChecker {
  readonly outcome: Promise<CheckOutcome>;
  #checked: CheckedImport | null = null;

  constructor(o: CheckerOptions) {
    this.outcome = new Promise<CheckOutcome>((settle, fail) => {
      // The verdict is given once checkImport has returned, so a batch asked for right after it is there.
      let outcome: CheckOutcome | null = null;
      let failure: Error | null = null;
      const say = (m: CheckerMessage) => {
        if (m.type === 'phase') o.onPhase(m.phase);
        else
          verdict(
            m,
            (v) => {
              outcome = v;
            },
            (e) => {
              failure = e;
            },
          );
      };
      checkImport(o.registry, o.mediaType, o.body, o.batchSize, say).then((checked) => {
        this.#checked = checked;
        if (outcome !== null) settle(outcome);
        else fail(failure ?? new Error('import checker gave no verdict'));
      }, fail);
    });
  }

  #ready(): CheckedImport {
    if (this.#checked === null) throw new Error('import checker: the file was not checked');
    return this.#checked;
  }

  async batch(index: number): Promise<CheckedBatch> {
    return this.#ready().batch(index);
  }

  async people(): Promise<CheckedPeople> {
    return this.#ready().people();
  }

  async secrets(): Promise<Array<{ id: string; secret: string }>> {
    return this.#ready().secrets();
  }

  async end(): Promise<void> {
    this.#checked = null;
  }
}
