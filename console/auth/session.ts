import type { FastifyReply, FastifyRequest } from 'fastify';

/** The session cookie: HttpOnly (no script reads it), SameSite=Strict (no cross-site request carries it). */
export const SESSION_COOKIE = 'hub_session';

/** Parses a `Cookie` request header (RFC 6265 §5.4: `name=value` pairs separated by `; `). */
export function parseCookies(header: string | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const pair of (header ?? '').split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    // The first cookie of a name wins (the most specific path, RFC 6265 §5.4 step 2).
    if (name && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

/** The session token of a request: `Authorization: Bearer …` first, else the session cookie. */
export function sessionToken(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return match?.[1] ?? null;
  }
  return parseCookies(request.headers.cookie).get(SESSION_COOKIE) || null;
}

function cookieAttributes(request: FastifyRequest, maxAgeSeconds: number): string {
  // Secure only when the request came over TLS: the hub also serves plain http on 127.0.0.1/LAN.
  const secure = request.protocol === 'https' ? '; Secure' : '';
  return `Path=/; Max-Age=${maxAgeSeconds}; HttpOnly; SameSite=Strict${secure}`;
}

/** Sets the session cookie; it lives as long as the session (`expiresAt`, epoch ms). */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: number,
  nowMs: number,
): void {
  const maxAge = Math.max(0, Math.floor((expiresAt - nowMs) / 1000));
  reply.header('set-cookie', `${SESSION_COOKIE}=${token}; ${cookieAttributes(request, maxAge)}`);
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; ${cookieAttributes(request, 0)}`);
}
