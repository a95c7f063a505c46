// The console's REST client: same-origin fetch with the HttpOnly session cookie (set by /api/auth/login).
/** @import { ErrorBody, MeReply, Role, SessionUser } from '../api-types' */

export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message @param {unknown} [details] */
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Where a page goes when its session is gone: the login page, coming back here afterwards. */
export function toLogin() {
  const next = encodeURIComponent(location.pathname + location.search + location.hash);
  location.assign(`/?next=${next}`);
}

/**
 * Calls the API; answers the parsed JSON (or text for CSV). A 401 sends the user to the login page.
 * The answer's type T is the caller's to say (from ../api-types.d.ts, e.g. `@type {Household[]}` on the
 * variable it is awaited into): the hub serializes every answer with the schema those types come from.
 * @template [T=unknown]
 * @param {string} method @param {string} path @param {unknown} [body] @param {{ raw?: string | Blob, contentType?: string, noRedirect?: boolean }} [opts]
 * @returns {Promise<T>}
 */
export async function api(method, path, body, opts = {}) {
  /** @type {Record<string, string>} */
  const headers = { accept: 'application/json' };
  let payload;
  if (opts.raw !== undefined) {
    headers['content-type'] = opts.contentType ?? 'text/plain';
    payload = opts.raw;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const res = await fetch(path, { method, headers, body: payload, credentials: 'same-origin' });
  const type = res.headers.get('content-type') ?? '';
  const data = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (res.status === 401 && !opts.noRedirect) {
    toLogin();
    throw new ApiError(401, 'HUB_ERR_UNAUTHENTICATED', 'login required');
  }
  if (!res.ok) {
    /** @type {Partial<ErrorBody['error']>} */
    const err = data && typeof data === 'object' && 'error' in data ? data.error : {};
    throw new ApiError(
      res.status,
      err.code ?? `HTTP_${res.status}`,
      err.message ?? res.statusText,
      err.details,
    );
  }
  // the hub answered with the schema of this route: the type of the caller's T
  return /** @type {T} */ (data);
}

/**
 * The message of a failed call (an ApiError's, or any error's) for the toasts.
 * @param {unknown} err
 */
export function messageOf(err) {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The logged-in user ({ id, username, role, displayName, households }), or null.
 * @returns {Promise<SessionUser | null>}
 */
export async function currentUser() {
  try {
    /** @type {MeReply} */
    const me = await api('GET', '/api/auth/me', undefined, { noRedirect: true });
    return me.user;
  } catch {
    return null;
  }
}

export async function logout() {
  await api('POST', '/api/auth/logout', undefined, { noRedirect: true }).catch(() => undefined);
  location.assign('/');
}

/**
 * Each role's home page.
 * @type {Record<Role, string>}
 */
export const HOME = {
  dispatcher: '/dispatch/',
  supervisor: '/supervisor/',
  admin: '/admin/',
  family: '/family/',
  responder: '/responder/',
};

/**
 * The fields of a value the API types as `unknown` (evidence, audit details): an object's own, else none.
 * Read each with a check of its type (`typeof x.step === 'string'`).
 * @param {unknown} value
 * @returns {Record<string, unknown>}
 */
export function fieldsOf(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    ? /** @type {Record<string, unknown>} */ (value)
    : {};
}
