/**
 * An import as a job (issue 16, items 4 and 5): checked on a worker thread (import-checker.ts), then
 * written in short batches so the alarm path's writes take turns with it, each batch journalled
 * (store/types.ts) so that the whole import can be undone. It commits only at the end, and only if its
 * client is still there; a job abandoned before that (the client went away, the admin cancelled it, a
 * batch found the registry changed under it) is undone batch by batch, and a hub that died mid-import
 * undoes it on its next start (rollBackUnfinishedImports). Its new secrets leave the checker only after
 * the commit.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Registry } from '../registry/index.ts';
import { type ApplyHooks, applyHousehold, applyPeople, type Counts, counter, emptyCounts } from './apply.ts';
import type { CheckPhase } from './check-protocol.ts';
import { householdsOnly } from './checked-import.ts';
import { type CredentialPlan, planCredentials, planSignature } from './credentials.ts';
import type { ImportChecker } from './import-checker.ts';
import type { ImportProblem } from './index.ts';
import type { HouseholdEntry, ImportDocument } from './model.ts';
import type { ImportJournal, RowScope } from './store/types.ts';

export type ImportJobState =
  | 'checking'
  | 'writing'
  | 'committed'
  /** the file has problems (nothing was written) */
  | 'refused'
  /** the request's wrapper was wrong: a field error */
  | 'invalid'
  | 'rolling_back'
  /** abandoned before the commit, and undone */
  | 'rolled_back'
  | 'failed';

export interface ImportJobStatus {
  state: ImportJobState;
  /** while checking: what the checker does */
  phase: CheckPhase | null;
  households: { total: number | null; written: number };
  counts: Counts;
  problems: ImportProblem[];
  /** state invalid: the wrapper's field and why */
  invalidField: { path: string; reason: string } | null;
  /** why a job was abandoned or failed */
  reason: string | null;
}

const REGISTRY_CHANGED =
  'the hub registry changed while this file was being imported; nothing was imported, run it again';

class RegistryChanged extends Error {}

export interface ImportJobOptions {
  id: string;
  registry: Registry;
  journal: ImportJournal;
  checker: ImportChecker;
  hooks?: ApplyHooks;
  /** told the final status the moment the job reaches it, before anyone can read it */
  onFinish?: (status: ImportJobStatus) => void;
}

export class ImportJob {
  readonly id: string;
  readonly #registry: Registry;
  readonly #journal: ImportJournal;
  readonly #checker: ImportChecker;
  readonly #hooks: ApplyHooks;
  readonly #onFinish: (status: ImportJobStatus) => void;
  readonly #status: ImportJobStatus = {
    state: 'checking',
    phase: null,
    households: { total: null, written: 0 },
    counts: emptyCounts(),
    problems: [],
    invalidField: null,
    reason: null,
  };
  #abandoned: string | null = null;
  /** set when the commit begins: from then on the job can no longer be abandoned */
  #committing = false;
  #secrets: Array<{ id: string; secret: string }> = [];
  readonly done: Promise<ImportJobStatus>;

  constructor(o: ImportJobOptions) {
    this.id = o.id;
    this.#registry = o.registry;
    this.#journal = o.journal;
    this.#checker = o.checker;
    this.#hooks = o.hooks ?? {};
    this.#onFinish = o.onFinish ?? (() => undefined);
    this.done = this.#run();
  }

  /** Where the job is now (a copy). */
  status(): ImportJobStatus {
    return structuredClone(this.#status);
  }

  phase(phase: CheckPhase): void {
    this.#status.phase = phase;
  }

  /** Gives up the job if it has not committed yet: what it wrote is undone. False once it has committed. */
  abandon(reason: string): boolean {
    if (this.#committing) return false;
    this.#abandoned ??= reason;
    return true;
  }

  get hasSecrets(): boolean {
    return this.#secrets.length > 0;
  }

  /** The new secrets of a committed job, handed over once: the second call gets none. */
  takeSecrets(): Array<{ id: string; secret: string }> {
    const secrets = this.#secrets;
    this.#secrets = [];
    return secrets;
  }

  async #run(): Promise<ImportJobStatus> {
    const s = this.#status;
    try {
      const outcome = await this.#checker.outcome;
      if (outcome.kind === 'refused') return this.#finish('refused', { problems: outcome.problems });
      if (outcome.kind === 'invalid-field')
        return this.#finish('invalid', { invalidField: { path: outcome.path, reason: outcome.reason } });
      s.state = 'writing';
      s.phase = null;
      s.households.total = outcome.households;
      for (let i = 0; i < outcome.batches && this.#abandoned === null; i++) {
        await this.#writeHouseholds(i);
        // Between batches the alarm path's group commits get the store (sqlite-connection.ts queues them).
        await nextTurn();
      }
      if (this.#abandoned === null) await this.#writePeople(outcome.batches);
      if (this.#abandoned !== null) return await this.#rollBack(this.#abandoned);
      this.#committing = true;
      await this.#registry.transaction(() => this.#journal.forget(this.id));
      this.#secrets = await this.#checker.secrets();
      return this.#finish('committed', {});
    } catch (err) {
      if (err instanceof RegistryChanged) {
        await this.#rollBack(REGISTRY_CHANGED);
        return this.#finish('refused', { problems: [{ line: 1, path: '', reason: REGISTRY_CHANGED }] });
      }
      const reason = err instanceof Error ? err.message : String(err);
      await this.#rollBack(reason).catch(() => undefined);
      return this.#finish('failed', { reason });
    } finally {
      await this.#checker.end();
    }
  }

  #finish(state: ImportJobState, patch: Partial<ImportJobStatus>): ImportJobStatus {
    Object.assign(this.#status, patch, { state, phase: null });
    const status = this.status();
    this.#onFinish(status);
    return status;
  }

  /** Throws RegistryChanged when the plan taken now differs from the checker's (a secret would go astray). */
  async #checkPlan(doc: ImportDocument, checked: CredentialPlan): Promise<void> {
    if (planSignature(await planCredentials(doc, this.#registry)) !== planSignature(checked))
      throw new RegistryChanged(REGISTRY_CHANGED);
  }

  async #writeHouseholds(index: number): Promise<void> {
    const batch = await this.#checker.batch(index);
    const credentials = {
      deviceHashes: new Map(batch.deviceHashes),
      gatewayHashes: new Map(batch.gatewayHashes),
    };
    const count = counter(this.#status.counts);
    await this.#registry.transaction(async () => {
      await this.#checkPlan(householdsOnly(batch.households), batch.plan);
      await this.#journal.record(
        this.id,
        index,
        await this.#journal.snapshot(batch.households.flatMap(householdScopes)),
      );
      for (const h of batch.households) await applyHousehold(h, this.#registry, credentials, count);
    });
    this.#status.households.written += batch.households.length;
  }

  async #writePeople(index: number): Promise<void> {
    const people = await this.#checker.people();
    if (people.responders.length === 0 && people.users.length === 0) return;
    await this.#registry.transaction(async () => {
      await this.#checkPlan({ households: [], ...people }, people.plan);
      const scopes: RowScope[] = people.responders.map((r) => ({ table: 'responders', value: r.id }));
      for (const u of people.users) {
        scopes.push({ table: 'users', value: u.username });
        const existing = await this.#registry.people.userByName(u.username);
        if (existing !== null) scopes.push({ table: 'user_households', value: existing.id });
      }
      await this.#journal.record(this.id, index, await this.#journal.snapshot(scopes));
      await applyPeople(
        people,
        this.#registry,
        { userHashes: new Map(people.userHashes) },
        counter(this.#status.counts),
        this.#hooks,
      );
    });
  }

  async #rollBack(reason: string): Promise<ImportJobStatus> {
    this.#status.state = 'rolling_back';
    this.#status.reason = reason;
    await undoImport(this.#registry, this.#journal, this.id);
    this.#status.households.written = 0;
    this.#status.counts = emptyCounts();
    return this.#finish('rolled_back', {});
  }
}

/** Every registry row one household of a file may write. */
function householdScopes(h: HouseholdEntry): RowScope[] {
  return [
    { table: 'households', value: h.id },
    ...h.residents.map((r): RowScope => ({ table: 'residents', value: r.id })),
    { table: 'contacts', value: h.id },
    ...h.gateways.map((g): RowScope => ({ table: 'gateways', value: g.id })),
    ...h.devices.map((d): RowScope => ({ table: 'devices', value: d.id })),
    ...h.gateways.flatMap((g) => g.devices.map((d): RowScope => ({ table: 'devices', value: d.id }))),
  ];
}

/** Undoes a job's journalled batches, last first, one transaction each. */
async function undoImport(registry: Registry, journal: ImportJournal, jobId: string): Promise<void> {
  for (const batch of await journal.batches(jobId)) {
    await registry.transaction(() => journal.undo(jobId, batch));
    await nextTurn();
  }
  registry.devices.forgetCached();
}

/** At start: undoes the imports a stopped hub left half-written. Returns their ids. */
export async function rollBackUnfinishedImports(
  registry: Registry,
  journal: ImportJournal,
): Promise<string[]> {
  const jobs = await journal.unfinishedJobs();
  for (const id of jobs) await undoImport(registry, journal, id);
  return jobs;
}
