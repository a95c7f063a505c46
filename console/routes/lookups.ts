import { type ErrorCode, HubError } from '../../kernel/errors.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import { invalidField } from '../errors.ts';

/**
 * The value, or the 404 of `code` when there is none. Never a Promise (a store call not awaited would
 * always be found): refused by the type.
 */
export function found<V>(
  value: (V extends PromiseLike<unknown> ? never : V) | null | undefined,
  code: ErrorCode = 'HUB_ERR_NOT_FOUND',
): V {
  if (value === null || value === undefined) throw new HubError(code);
  return value;
}

/** A household named in a request body must exist: 400 naming the field otherwise. */
export async function householdInBody(
  registry: Registry,
  householdId: string,
  path = '/householdId',
): Promise<void> {
  if (!(await registry.households.get(householdId)))
    throw invalidField(path, `names no household (${householdId})`);
}

/** Answers that carry a new secret or token must not be kept by any cache. */
export const NO_STORE = { 'cache-control': 'no-store' } as const;
