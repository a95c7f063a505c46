import type { FastifyRequest } from 'fastify';
import { HubError } from '../../kernel/errors.ts';

/** Methods that change state; GET and HEAD never do here. */
const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Cross-site request forgery guard (onRequest). A browser attaches the session cookie to any request to
 * the hub from a page of the same site, and a page on another port of the hub's own host IS the same
 * site (`SameSite=Strict` still sends the cookie). So every state-changing request that a browser could
 * have made with ambient credentials must come from an allowed origin: the hub's own, exactly (scheme,
 * host and port), or one configured in `consoleAllowedOrigins`. Chromium and Firefox send `Origin` on
 * every non-GET request; without it, `Sec-Fetch-Site` or `Referer` decides. A request with a bearer token
 * is not ambient (a script had to read the token), so it passes; so does a request that carries neither
 * cookie nor Origin (curl, the CLI, a webhook receiver's test).
 */
export function createOriginCheck(extraOrigins: readonly string[]) {
  const allowed = (request: FastifyRequest, origin: string) =>
    origin === `${request.protocol}://${request.headers.host ?? ''}` || extraOrigins.includes(origin);

  const originOf = (request: FastifyRequest): string | null => {
    const origin = request.headers.origin;
    if (typeof origin === 'string' && origin !== '') return origin;
    const referer = request.headers.referer;
    if (typeof referer === 'string' && referer !== '') {
      try {
        return new URL(referer).origin;
      } catch {
        return 'null';
      }
    }
    return null;
  };

  return async function checkOrigin(request: FastifyRequest): Promise<void> {
    if (!STATE_CHANGING.has(request.method)) return;
    if (/^Bearer\s/i.test(request.headers.authorization ?? '')) return;
    const origin = originOf(request);
    if (origin !== null) {
      if (allowed(request, origin)) return;
      throw new HubError('HUB_ERR_FOREIGN_ORIGIN', undefined, { origin });
    }
    const site = request.headers['sec-fetch-site'];
    if (site === 'cross-site' || site === 'same-site') throw new HubError('HUB_ERR_FOREIGN_ORIGIN');
  };
}
