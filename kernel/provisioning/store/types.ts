/**
 * The import journal (issue 16, item 5): an import job writes the registry in short batches, and before
 * each batch it takes the rows that batch will write. Those prior rows go into the journal in the batch's
 * own transaction, so whatever happens next (the admin walks away, the hub dies) the registry can be put
 * back exactly as it was. A job that commits forgets its journal.
 */
import type { Row } from '../../registry/rows.ts';

/** The registry tables an import writes, and the one column a batch selects rows of each by. */
export const JOURNAL_SCOPES = {
  households: 'id',
  residents: 'id',
  contacts: 'household_id',
  gateways: 'id',
  devices: 'id',
  users: 'username',
  user_households: 'user_id',
  responders: 'id',
} as const;
export type JournalTable = keyof typeof JOURNAL_SCOPES;

/** Rows of `table` whose scope column (JOURNAL_SCOPES) equals `value`. */
export interface RowScope {
  table: JournalTable;
  value: string | number;
}

/** The rows of a scope as they were before a batch wrote it (none: the batch created them). */
export interface RowSnapshot extends RowScope {
  rows: Row[];
}

export interface ImportJournal {
  /** The rows of each scope now, in the caller's transaction. */
  snapshot(scopes: readonly RowScope[]): Promise<RowSnapshot[]>;
  /** Keeps a batch's snapshots under (job, batch), in the caller's transaction (the batch's). */
  record(jobId: string, batch: number, snapshots: readonly RowSnapshot[]): Promise<void>;
  /** The batches of a job with a journal, highest first: the order to undo them in. */
  batches(jobId: string): Promise<number[]>;
  /**
   * Undoes one batch in the caller's transaction: every scope back to its snapshot, last first (rows the
   * batch created are deleted, rows it changed get their old values), and forgets the batch.
   */
  undo(jobId: string, batch: number): Promise<void>;
  /** Forgets a committed job's journal. */
  forget(jobId: string): Promise<void>;
  /** Jobs that left a journal: they neither committed nor finished rolling back (the hub stopped). */
  unfinishedJobs(): Promise<string[]>;
}
