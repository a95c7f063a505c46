/**
 * What the import checker (check-worker.ts, on a worker thread) and an import job (import-job.ts, on the
 * main thread) say to each other. The checker holds the parsed document and the new secrets; the job
 * pulls them a batch at a time, so no message is big enough to hold the main thread while it is cloned.
 */
import type { CredentialPlan } from './credentials.ts';
import type { BodyMediaType } from './import-body.ts';
import type { ImportProblem } from './index.ts';
import type { HouseholdEntry, ResponderEntry, UserEntry } from './model.ts';

export interface CheckerData {
  /** the store file (read-only for the checker: it validates against the registry, never writes) */
  dbPath: string;
  mediaType: BodyMediaType;
  body: Uint8Array;
  /** households per batch */
  batchSize: number;
}

export type CheckPhase = 'parsing' | 'validating' | 'hashing';

export type CheckerRequest = { type: 'batch'; index: number } | { type: 'people' } | { type: 'secrets' };

export type CheckerMessage =
  | { type: 'phase'; phase: CheckPhase }
  /** the body's wrapper is wrong (a field error of the request, not a problem of the file) */
  | { type: 'invalid-field'; path: string; reason: string }
  | { type: 'refused'; problems: ImportProblem[] }
  | { type: 'checked'; households: number; batches: number; format: 'json' | 'csv' }
  | { type: 'batch'; index: number; batch: CheckedBatch }
  | { type: 'people'; people: CheckedPeople }
  | { type: 'secrets'; secrets: Array<{ id: string; secret: string }> }
  | { type: 'failed'; message: string };

/** One batch of households, with the hashes of the secrets new to them and the plan they were made on. */
export interface CheckedBatch {
  households: HouseholdEntry[];
  deviceHashes: Array<[string, string]>;
  gatewayHashes: Array<[string, string]>;
  /** the part of the credential plan for these households (the job checks it again under the write lock) */
  plan: CredentialPlan;
}

export interface CheckedPeople {
  responders: ResponderEntry[];
  users: UserEntry[];
  userHashes: Array<[string, string]>;
  plan: CredentialPlan;
}
