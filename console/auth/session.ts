import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/** The session cookie: HttpOnly (no script reads it), SameSite=Strict (no cross-site request carries it). */
export const SESSION_COOKIE = 'hub_session';

/** The session cookie of a raw `Cookie` header (the live channel's upgrade request has no Fastify request). */
export function sessionCookieOf(header: string | undefined): string | null {
  return fastifyCookie.parse(header ?? '')[SESSION_COOKIE] || null;
}

/** The session token of a request: `Authorization: Bearer …` first, else the session cookie. */
export function sessionToken(request: FastifyRequest): string | null {
  const auth = request.headers.authorization;
  if (auth) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return match?.[1] ?? null;
  }
  return request.cookies[SESSION_COOKIE] || null;
}

/** Path=/, HttpOnly, SameSite=Strict; Secure only over TLS (the hub also serves plain http on the LAN). */
const attributes = (request: FastifyRequest, maxAge: number) =>
  ({
    path: '/',
    maxAge,
    httpOnly: true,
    sameSite: 'strict',
    secure: request.protocol === 'https',
  }) as const;

/** Sets the session cookie; it lives as long as the session (`expiresAt`, epoch ms). */
export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
  expiresAt: number,
  nowMs: number,
): void {
  const maxAge = Math.max(0, Math.floor((expiresAt - nowMs) / 1000));
  reply.setCookie(SESSION_COOKIE, token, attributes(request, maxAge));
}

export function clearSessionCookie(request: FastifyRequest, reply: FastifyReply): void {
  reply.setCookie(SESSION_COOKIE, '', attributes(request, 0));
}
