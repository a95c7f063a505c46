/**
 * The import checker's thread (issue 16, item 4: admin work must never stall the alarm path). Parsing,
 * validating and hashing a county's file takes seconds of CPU; here it takes none of the main thread's.
 * It reads the registry through its own read-only connection to the store (WAL: readers never wait for
 * the hub's writes, nor hold them up), then answers the job's requests for batches until it is ended.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { systemClock } from '../clock.ts';
import { openReadOnly } from '../db.ts';
import { createRegistry } from '../registry/index.ts';
import type { CheckerData, CheckerMessage, CheckerRequest } from './check-protocol.ts';
import { checkImport } from './checked-import.ts';

const port = parentPort;
if (port === null) throw new Error('check-worker.ts runs as a worker thread');
const say = (m: CheckerMessage) => port.postMessage(m);
const data = workerData as CheckerData;

try {
  const db = openReadOnly(data.dbPath);
  const checked = await checkImport(
    createRegistry(db, systemClock),
    data.mediaType,
    data.body,
    data.batchSize,
    say,
  );
  if (checked !== null) {
    port.on('message', (request: CheckerRequest) => {
      if (request.type === 'batch')
        say({ type: 'batch', index: request.index, batch: checked.batch(request.index) });
      else if (request.type === 'people') say({ type: 'people', people: checked.people() });
      else say({ type: 'secrets', secrets: checked.secrets() });
    });
  }
} catch (err) {
  say({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
}
