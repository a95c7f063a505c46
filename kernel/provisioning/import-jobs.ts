/**
 * The hub's import jobs (issue 16, item 5): at most one runs at a time; each belongs to the admin who
 * started it, who alone may take its secrets, once. A job is held by its client: either the request
 * that waits for it (`POST /api/import`: its connection closing before the commit abandons the job) or a
 * lease the client renews by asking for the job's state (`POST /api/import/jobs`: no question for
 * LEASE_MS abandons it). Abandoned before the commit, a job is undone (import-job.ts).
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock.ts';
import { HubError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Registry } from '../registry/index.ts';
import type { ApplyHooks } from './apply.ts';
import type { BodyMediaType } from './import-body.ts';
import { startImportChecker } from './import-checker.ts';
import { ImportJob, type ImportJobStatus, rollBackUnfinishedImports } from './import-job.ts';
import type { ImportJournal } from './store/types.ts';

/** ms without a question from a leasing client before its job is abandoned */
export const LEASE_MS = 15_000;
/** households per write batch: ~10–20 ms of the store each on this machine (README, benchmarks) */
export const BATCH_HOUSEHOLDS = 200;
/** ms a committed job's secrets wait for their download before they are dropped */
export const SECRETS_KEPT_MS = 60 * 60_000;
/** finished jobs kept for their state (newest first) */
const KEPT_JOBS = 20;

export type JobHolder = 'request' | 'lease';

export interface ImportJobView extends ImportJobStatus {
  id: string;
  startedBy: number;
  startedAt: string;
  finishedAt: string | null;
  holder: JobHolder;
  /** none: no secrets (or not committed); available: the starter may take them once; taken; expired */
  secrets: 'none' | 'available' | 'taken' | 'expired';
}

interface JobRecord {
  job: ImportJob;
  startedBy: number;
  startedAt: number;
  finishedAt: number | null;
  holder: JobHolder;
  secrets: ImportJobView['secrets'];
  lease: TimerHandle | null;
  expiry: TimerHandle | null;
}

export interface ImportJobsOptions {
  registry: Registry;
  journal: ImportJournal;
  /** the store's file (the checker opens it read-only), or null for a store in memory */
  dbPath: string | null;
  clock: Clock;
  log: Logger;
  batchSize?: number;
}

export interface StartImport {
  startedBy: number;
  mediaType: BodyMediaType;
  body: Uint8Array;
  holder: JobHolder;
  hooks?: ApplyHooks;
}

export class ImportJobs {
  readonly #o: ImportJobsOptions;
  /** newest first */
  readonly #records: Array<[string, JobRecord]> = [];

  constructor(o: ImportJobsOptions) {
    this.#o = o;
  }

  /** Undoes what a hub that stopped mid-import left written. */
  async start(): Promise<void> {
    const undone = await rollBackUnfinishedImports(this.#o.registry, this.#o.journal);
    if (undone.length > 0)
      this.#o.log.warn({ jobs: undone }, 'undid imports a stopped hub left half-written');
  }

  /** Abandons a running job and waits for it to be undone. */
  async stop(): Promise<void> {
    const running = this.#records.filter(([, r]) => r.finishedAt === null).map(([, r]) => r.job);
    for (const job of running) job.abandon('the hub is stopping');
    await Promise.all(running.map((job) => job.done));
  }

  begin(s: StartImport): ImportJob {
    if (this.#records.some(([, r]) => r.finishedAt === null)) throw new HubError('HUB_ERR_IMPORT_RUNNING');
    const id = randomUUID();
    const record: Omit<JobRecord, 'job'> = {
      startedBy: s.startedBy,
      startedAt: this.#o.clock.now(),
      finishedAt: null,
      holder: s.holder,
      secrets: 'none',
      lease: null,
      expiry: null,
    };
    let job: ImportJob | null = null;
    const checker = startImportChecker({
      registry: this.#o.registry,
      dbPath: this.#o.dbPath,
      mediaType: s.mediaType,
      body: s.body,
      batchSize: this.#o.batchSize ?? BATCH_HOUSEHOLDS,
      onPhase: (phase) => job?.phase(phase),
    });
    job = new ImportJob({
      id,
      registry: this.#o.registry,
      journal: this.#o.journal,
      checker,
      hooks: s.hooks,
      // At once, so that no one reads a finished job whose secrets are not offered yet.
      onFinish: (status) => this.#finished(id, full, status),
    });
    const full: JobRecord = Object.assign(record, { job });
    this.#records.unshift([id, full]);
    this.#records.splice(KEPT_JOBS);
    if (s.holder === 'lease') this.#renew(full);
    return job;
  }

  #finished(id: string, r: JobRecord, status: ImportJobStatus): void {
    const clock = this.#o.clock;
    r.finishedAt = clock.now();
    if (r.lease) clock.clearTimeout(r.lease);
    r.lease = null;
    this.#o.log.info(
      { job: id, state: status.state, households: status.households, reason: status.reason },
      'import job finished',
    );
    if (status.state !== 'committed') return;
    if (!r.job.hasSecrets) return;
    r.secrets = 'available';
    // Secrets nobody took in time are dropped: they are in memory only, and the devices can be given new ones.
    r.expiry = clock.setTimeout(() => {
      if (r.secrets !== 'available') return;
      r.job.takeSecrets();
      r.secrets = 'expired';
    }, SECRETS_KEPT_MS);
  }

  #renew(r: JobRecord): void {
    const clock = this.#o.clock;
    if (r.lease) clock.clearTimeout(r.lease);
    r.lease = clock.setTimeout(() => {
      r.lease = null;
      r.job.abandon(`no one asked for the job's state for ${LEASE_MS / 1000} s: its client is gone`);
    }, LEASE_MS);
  }

  #record(id: string): JobRecord {
    const found = this.#records.find(([key]) => key === id);
    if (!found) throw new HubError('HUB_ERR_NOT_FOUND', 'no such import job');
    return found[1];
  }

  /** A job's state; asked by the admin who started it, it renews the job's lease. */
  view(id: string, askedBy: number): ImportJobView {
    const r = this.#record(id);
    if (r.startedBy === askedBy && r.holder === 'lease' && r.finishedAt === null) this.#renew(r);
    return this.#view(id, r);
  }

  list(): ImportJobView[] {
    return this.#records.map(([id, r]) => this.#view(id, r));
  }

  #view(id: string, r: JobRecord): ImportJobView {
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return {
      id,
      ...r.job.status(),
      startedBy: r.startedBy,
      startedAt: new Date(r.startedAt).toISOString(),
      finishedAt: iso(r.finishedAt),
      holder: r.holder,
      secrets: r.secrets,
    };
  }

  /** Abandons a job before its commit (the admin cancels it). */
  cancel(id: string): ImportJobView {
    const r = this.#record(id);
    if (r.finishedAt === null && !r.job.abandon('cancelled by the admin'))
      throw new HubError('HUB_ERR_IMPORT_STATE', 'the import has committed: it can no longer be cancelled');
    return this.#view(id, r);
  }

  /** The committed job's new secrets, to the admin who started it, once. */
  takeSecrets(
    id: string,
    askedBy: number,
    { ifAny = false }: { ifAny?: boolean } = {},
  ): Array<{ id: string; secret: string }> {
    const r = this.#record(id);
    if (ifAny && r.secrets === 'none') return [];
    if (r.startedBy !== askedBy)
      throw new HubError('HUB_ERR_FORBIDDEN', 'only the admin who started the import may take its secrets');
    if (r.secrets === 'taken' || r.secrets === 'expired')
      throw new HubError('HUB_ERR_SECRETS_GONE', `the secrets of this import are ${r.secrets}`);
    if (r.secrets === 'none')
      throw new HubError(
        'HUB_ERR_IMPORT_STATE',
        'the import has no secrets to take (not committed, or none new)',
      );
    r.secrets = 'taken';
    if (r.expiry) this.#o.clock.clearTimeout(r.expiry);
    return r.job.takeSecrets();
  }
}
