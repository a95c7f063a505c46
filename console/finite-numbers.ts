import type { FastifyRequest } from 'fastify';
import { HubError } from '../kernel/errors.ts';

/** Deeper than any request of the API nests; a body past it is not walked further (its schema bounds it). */
const MAX_DEPTH = 32;

/** The path of the first number in `value` that is not finite (Infinity, -Infinity, NaN), else null. */
function firstNonFinite(value: unknown, path: string, depth: number): string | null {
  if (typeof value === 'number') return Number.isFinite(value) ? null : path;
  if (depth >= MAX_DEPTH || value === null || typeof value !== 'object') return null;
  // Raw bytes (the import's body) hold no numbers to check, and walking 44 MB of them key by key takes seconds.
  if (ArrayBuffer.isView(value)) return null;
  for (const [key, item] of Object.entries(value)) {
    const found = firstNonFinite(item, `${path}/${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * preHandler: refuses a request whose validated query, params or body hold a number that is not finite.
 * Ajv's type coercion turns `limit=Infinity` or `limit=1e400` (and JSON's `1e400`) into Infinity, which
 * passes `type: integer` with a `maximum` (ajv 8) and then reached SQLite as a datatype mismatch (500).
 */
export async function refuseNonFiniteNumbers(request: FastifyRequest): Promise<void> {
  for (const [part, value] of [
    ['querystring', request.query],
    ['params', request.params],
    ['body', request.body],
  ] as const) {
    const path = firstNonFinite(value, part, 0);
    if (path) throw new HubError('HUB_ERR_VALIDATION', `${path} must be a finite number`);
  }
}
