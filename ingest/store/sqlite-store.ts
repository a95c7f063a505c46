import type { Db } from '../../kernel/db.ts';
import { createSqliteHistoryStore } from './sqlite-history.ts';
import { createSqliteIntakeStore } from './sqlite-intake.ts';
import { createSqliteOutboxStore } from './sqlite-outbox.ts';
import { createSqlitePairingStore } from './sqlite-pairing.ts';
import { createSqlitePresenceStore } from './sqlite-presence.ts';
import { createSqliteQuarantineStore } from './sqlite-quarantine.ts';
import { createSqliteRetentionStore } from './sqlite-retention.ts';
import type { IngestStore } from './types.ts';

/** Every store of the ingest room on the embedded store (one connection: kernel/sqlite-connection.ts). */
export function createSqliteIngestStore(db: Db): IngestStore {
  return {
    intake: createSqliteIntakeStore(db),
    presence: createSqlitePresenceStore(db),
    outbox: createSqliteOutboxStore(db),
    quarantine: createSqliteQuarantineStore(db),
    retention: createSqliteRetentionStore(db),
    history: createSqliteHistoryStore(db),
    pairing: createSqlitePairingStore(db),
  };
}
