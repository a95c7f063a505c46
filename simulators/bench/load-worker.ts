/**
 * runLoad (load-client.ts) in a process of its own, so that a benchmark that times single messages
 * (an SOS) does not read its answers on an event loop busy with thousands of background messages.
 * Options as JSON in a file (LoadOptions without the callback); prints `publishing` once every device is
 * connected and the timed publishing starts, then `result <LoadResult as JSON>`, and exits.
 * Usage: node load-worker.ts <options.json>
 */
import { readFileSync } from 'node:fs';
import { type LoadOptions, runLoad } from '../load-client.ts';

const opts = JSON.parse(readFileSync(process.argv[2] ?? '', 'utf8')) as Omit<LoadOptions, 'onPublishing'>;
const result = await runLoad({ ...opts, onPublishing: () => process.stdout.write('publishing\n') });
process.stdout.write(`result ${JSON.stringify(result)}\n`);
process.exit(0);
