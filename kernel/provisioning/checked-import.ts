/**
 * A checked import, cut into batches: what the checker (check-worker.ts) holds after parsing, validating
 * and hashing a file. Pure: the same runs in the worker and, for a store with no file (in memory), on the
 * main thread.
 */
import type { Registry } from '../registry/index.ts';
import type { CheckedBatch, CheckedPeople, CheckerMessage } from './check-protocol.ts';
import { type CredentialPlan, type Credentials, planCredentials, prepareCredentials } from './credentials.ts';
import { type BodyMediaType, unwrapImportBody } from './import-body.ts';
import { checkProvisioning } from './index.ts';
import type { HouseholdEntry, ImportDocument } from './model.ts';

export class CheckedImport {
  readonly #document: ImportDocument;
  readonly #plan: CredentialPlan;
  readonly #credentials: Credentials;
  readonly #batchSize: number;

  constructor(document: ImportDocument, plan: CredentialPlan, credentials: Credentials, batchSize: number) {
    this.#document = document;
    this.#plan = plan;
    this.#credentials = credentials;
    this.#batchSize = batchSize;
  }

  get households(): number {
    return this.#document.households.length;
  }

  get batches(): number {
    return Math.ceil(this.#document.households.length / this.#batchSize);
  }

  batch(index: number): CheckedBatch {
    const households = this.#document.households.slice(
      index * this.#batchSize,
      (index + 1) * this.#batchSize,
    );
    const devices = new Set(households.flatMap((h) => h.devices.map((d) => d.id)));
    const gateways = new Set(households.flatMap((h) => h.gateways.map((g) => g.id)));
    const pick = (hashes: ReadonlyMap<string, string>, ids: Set<string>) =>
      [...hashes].filter(([id]) => ids.has(id));
    return {
      households,
      deviceHashes: pick(this.#credentials.deviceHashes, devices),
      gatewayHashes: pick(this.#credentials.gatewayHashes, gateways),
      plan: {
        devices: this.#plan.devices.filter((id) => devices.has(id)),
        gateways: this.#plan.gateways.filter((id) => gateways.has(id)),
        users: [],
      },
    };
  }

  people(): CheckedPeople {
    return {
      responders: this.#document.responders,
      users: this.#document.users,
      userHashes: [...this.#credentials.userHashes],
      plan: { devices: [], gateways: [], users: this.#plan.users },
    };
  }

  secrets(): Array<{ id: string; secret: string }> {
    return this.#credentials.secrets;
  }
}

/** A document of only these households: what a batch's plan is taken on again. */
export const householdsOnly = (households: HouseholdEntry[]): ImportDocument => ({
  households,
  responders: [],
  users: [],
});

/**
 * Unwraps, parses, validates and hashes an import body; `say` hears the phases and the outcome. Returns
 * the checked import, or null when it was refused (`say` has heard why).
 */
export async function checkImport(
  registry: Registry,
  mediaType: BodyMediaType,
  body: Uint8Array,
  batchSize: number,
  say: (m: CheckerMessage) => void,
): Promise<CheckedImport | null> {
  say({ type: 'phase', phase: 'parsing' });
  const unwrapped = unwrapImportBody(mediaType, body);
  if (!unwrapped.ok) {
    say({ type: 'invalid-field', path: unwrapped.path, reason: unwrapped.reason });
    return null;
  }
  const { document, problems } = await checkProvisioning(registry, unwrapped, () =>
    say({ type: 'phase', phase: 'validating' }),
  );
  if (problems.size > 0) {
    say({ type: 'refused', problems: problems.list() });
    return null;
  }
  say({ type: 'phase', phase: 'hashing' });
  const plan = await planCredentials(document, registry);
  const credentials = await prepareCredentials(plan, registry.devices.secrets);
  const checked = new CheckedImport(document, plan, credentials, batchSize);
  say({
    type: 'checked',
    households: checked.households,
    batches: checked.batches,
    format: unwrapped.format,
  });
  return checked;
}
