import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { BoundedSet } from '../../kernel/bounded-set.ts';
import { HubError } from '../../kernel/errors.ts';
import type { User } from '../../kernel/registry/types.ts';
import { generateSecret, hashSecret, verifySecret } from '../../kernel/secrets.ts';
import * as X from '../api-examples.ts';
import { EVERYONE } from '../auth/guard.ts';
import { SlidingWindowLimiter } from '../auth/rate-limit.ts';
import { clearSessionCookie, sessionToken, setSessionCookie } from '../auth/session.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import { LoginReply, MeReply } from '../response-schemas.ts';
import { OPTIONAL_AUTH, PUBLIC, SECURED, withExample } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';

/**
 * Failed logins per (user name, source address) per minute before 429 (a password guesser gets 10
 * tries a minute from each address; a user elsewhere is not slowed by them).
 */
const FAILURES_PER_USER_PER_MINUTE = 10;
/** Failed logins per source address per minute: higher, a dispatch center's shift change shares one NAT address. */
const FAILURES_PER_ADDRESS_PER_MINUTE = 30;
const MINUTE_MS = 60_000;
/** (user name, address) pairs that logged in, remembered at most (they pass an address's limit). */
const KNOWN_GOOD_MAX = 100_000;
const HOUR_MS = 3_600_000;

const LoginBody = withExample(
  T.Object(
    {
      username: T.String({ minLength: 1, maxLength: 100 }),
      password: T.String({ minLength: 1, maxLength: 1000 }),
    },
    { additionalProperties: false },
  ),
  X.LOGIN,
);
const sessionUserBody = (u: User) => ({
  id: u.id,
  username: u.username,
  role: u.role,
  displayName: u.displayName,
  households: u.households,
});

/** Login, logout and who-am-I. Sessions are the console's (console/store: only the token's hash is kept). */
export function authRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, sessions, clock, guard } = ctx;
    const logins = ctx.metrics.counter('hub_logins_total', 'console login attempts by result');
    // Per (user name, address): a guesser elsewhere cannot lock a user out (the lock-out as a weapon).
    const perUser = new SlidingWindowLimiter({
      clock,
      limit: FAILURES_PER_USER_PER_MINUTE,
      windowMs: MINUTE_MS,
    });
    const perAddress = new SlidingWindowLimiter({
      clock,
      limit: FAILURES_PER_ADDRESS_PER_MINUTE,
      windowMs: MINUTE_MS,
    });
    const knownGood = new BoundedSet(KNOWN_GOOD_MAX);
    // Verified against for unknown user names, so they cost the same scrypt time as known ones.
    const decoyHash = await hashSecret(generateSecret());

    app.post(
      '/auth/login',
      {
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Log in; answers a bearer token and sets the session cookie',
          security: PUBLIC,
          body: LoginBody,
          response: {
            200: LoginReply,
            ...errors(
              {
                code: 'HUB_ERR_BAD_CREDENTIALS',
                note: 'one answer for an unknown user, a wrong password and a disabled user',
              },
              {
                code: 'HUB_ERR_RATE_LIMITED',
                message: 'too many failed logins; try again later',
                details: { retryAfterSeconds: 42 },
                note: `${FAILURES_PER_USER_PER_MINUTE} failed logins a minute of a user name from one address, or ${FAILURES_PER_ADDRESS_PER_MINUTE} of the address; the Retry-After header says when to try again`,
              },
            ),
          },
        },
      },
      async (request, reply) => {
        const { username, password } = request.body;
        const userKey = `${username.toLowerCase()}\u0000${request.ip}`;
        // An address spraying user names is slowed, except for a user who has logged in from it before
        // (the OWASP "device cookie" idea, by address): one guesser behind a shared NAT or office address
        // does not keep its colleagues out.
        const knownHere = knownGood.has(userKey);
        const waitMs = Math.max(
          perUser.retryAfterMs(userKey),
          knownHere ? 0 : perAddress.retryAfterMs(request.ip),
        );
        if (waitMs > 0) {
          logins.inc({ result: 'rate_limited' });
          throw new HubError('HUB_ERR_RATE_LIMITED', 'too many failed logins; try again later', {
            retryAfterSeconds: Math.ceil(waitMs / 1000),
          });
        }
        // Counted before the slow check, so guesses sent in parallel count too; taken back on success.
        const userHit = perUser.hit(userKey);
        const addressHit = perAddress.hit(request.ip);
        const user = await registry.people.userByName(username);
        const matches = await verifySecret(password, user?.passwordHash ?? decoyHash);
        if (!user || !matches || !user.enabled) {
          logins.inc({ result: 'bad_credentials' });
          // One answer for unknown user, wrong password and disabled user.
          throw new HubError('HUB_ERR_BAD_CREDENTIALS');
        }
        perUser.release(userKey, userHit);
        perAddress.release(request.ip, addressHit);
        knownGood.add(userKey);
        const session = await sessions.createSession(user.id, ctx.config.sessionHours * HOUR_MS);
        setSessionCookie(request, reply, session.token, session.expiresAt, clock.now());
        reply.header('cache-control', 'no-store');
        logins.inc({ result: 'ok' });
        request.log.info({ userId: user.id, role: user.role }, 'login');
        return {
          token: session.token,
          expiresAt: new Date(session.expiresAt).toISOString(),
          user: sessionUserBody(user),
        };
      },
    );

    app.post(
      '/auth/logout',
      {
        // Public: logging out with an expired session still clears the cookie.
        config: { public: true },
        schema: {
          tags: ['auth'],
          summary: 'Log out: ends the session of the token or cookie and clears the cookie',
          security: OPTIONAL_AUTH,
          response: { 204: T.Null() },
        },
      },
      async (request, reply) => {
        const token = sessionToken(request);
        if (token) await sessions.deleteSession(token);
        clearSessionCookie(request, reply);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/auth/me',
      {
        preHandler: guard.requireRole(EVERYONE),
        schema: {
          tags: ['auth'],
          summary: 'The logged-in user and when the session ends',
          security: SECURED,
          response: {
            200: MeReply,
          },
        },
      },
      async (request) => {
        const user = guard.userOf(request);
        return { user: sessionUserBody(user), expiresAt: new Date(user.expiresAt).toISOString() };
      },
    );
  };
}
