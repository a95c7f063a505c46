/**
 * Bulk provisioning import (../shared/docs/provisioning.md): parse, validate everything, then write
 * everything in one transaction. A file with any problem imports nothing and reports every problem.
 */
import type { Registry } from '../registry/index.ts';
import { type ApplyHooks, applyDocument, emptyCounts } from './apply.ts';
import { planCredentials, planSignature, prepareCredentials } from './credentials.ts';
import { emptyDocument, type ImportDocument, Problems } from './model.ts';
import { parseCsvDocument } from './parse-csv.ts';
import { parseJsonDocument } from './parse-json.ts';
import { decodeUtf8 } from './text-lines.ts';
import { validateDocument } from './validate.ts';

export type ImportFormat = 'json' | 'csv';

export interface ImportProblem {
  /** 1-based line in the input file */
  line: number;
  /** where in the document, e.g. households[0].devices[2] or a CSV column */
  path: string;
  reason: string;
}

export interface ImportReport {
  ok: boolean;
  problems: ImportProblem[];
  counts: Record<string, { created: number; updated: number; unchanged: number }>;
  /** New secrets (devices, gateways, generated user passwords): shown once, never logged. */
  secrets: Array<{ id: string; secret: string }>;
}

export interface ImportInput {
  format: ImportFormat;
  /** the file's text, or its bytes (then it must be UTF-8; a byte-order mark is fine) */
  content: string | Uint8Array;
}

const failed = (problems: Problems): ImportReport => ({
  ok: false,
  problems: problems.list(),
  counts: emptyCounts(),
  secrets: [],
});

/** Parses and validates without writing anything. */
export async function checkProvisioning(
  registry: Registry,
  input: ImportInput,
  /** told when parsing is done and validation begins (an import job's progress) */
  parsed: () => void = () => undefined,
): Promise<{ document: ImportDocument; problems: Problems }> {
  const problems = new Problems();
  const decoded = decodeUtf8(input.content);
  if ('reason' in decoded) {
    problems.add(decoded.line, '', decoded.reason);
    return { document: emptyDocument(), problems };
  }
  const text = decoded.text;
  const document =
    input.format === 'json'
      ? parseJsonDocument(text.replace(/^\uFEFF/, ''), problems)
      : parseCsvDocument(text, problems);
  parsed();
  await validateDocument(document, registry, problems, new Date().getUTCFullYear());
  return { document, problems };
}

/**
 * Imports a document all or nothing: validated, hashed, then validated again and written in one
 * registry transaction. `hooks` run inside that transaction (the console ends the sessions of a user
 * whose password the file changes).
 */
export async function importProvisioning(
  registry: Registry,
  input: ImportInput,
  hooks: ApplyHooks = {},
): Promise<ImportReport> {
  const { document, problems } = await checkProvisioning(registry, input);
  if (problems.size > 0) return failed(problems);

  const plan = await planCredentials(document, registry);
  const credentials = await prepareCredentials(plan, registry.devices.secrets);

  return registry.transaction(async (): Promise<ImportReport> => {
    // The registry may have changed while the hashes were computed (the console, another import):
    // check again under the write lock, and refuse rather than write on a stale plan.
    const again = new Problems();
    await validateDocument(document, registry, again, new Date().getUTCFullYear());
    if (
      again.size === 0 &&
      planSignature(await planCredentials(document, registry)) !== planSignature(plan)
    ) {
      again.add(
        1,
        '',
        'the hub registry changed while this file was being imported; nothing was imported, run it again',
      );
    }
    if (again.size > 0) return failed(again);
    const counts = await applyDocument(document, registry, credentials, hooks);
    return { ok: true, problems: [], counts, secrets: credentials.secrets };
  });
}
