import type { FastifyInstance, FastifyRequest, preHandlerAsyncHookHandler, RouteOptions } from 'fastify';
import { type ErrorCode, HubError } from '../../kernel/errors.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import { ROLES, type Role, type User } from '../../kernel/registry/types.ts';
import type { SessionStore } from '../store/types.ts';
import { sessionToken } from './session.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route anyone may call (login, health, metrics, docs). Every other route needs requireRole. */
    public?: boolean;
  }
}

export type SessionUser = User & { expiresAt: number };

/**
 * The user behind a live session token, or null: the session is the console's (console/store), the user
 * the registry's, and a disabled or deleted user has none.
 */
export async function sessionUserOf(
  sessions: SessionStore,
  registry: Registry,
  token: string,
): Promise<SessionUser | null> {
  const session = await sessions.sessionUser(token);
  if (!session) return null;
  const user = await registry.people.getUser(session.userId);
  return user?.enabled ? { ...user, expiresAt: session.expiresAt } : null;
}

/** Who may read what. Writes are admin only. */
export const ADMIN: readonly Role[] = ['admin'];
/** The dispatch center needs responders and stations to send someone. */
export const DISPATCH: readonly Role[] = ['admin', 'supervisor', 'dispatcher'];
/** Households and what is in them: the dispatch center, and a family for its own household (read-only). */
export const HOUSEHOLD_READERS: readonly Role[] = ['admin', 'supervisor', 'dispatcher', 'family'];
export const EVERYONE: readonly Role[] = ROLES;

/** Roles that see only the households linked to them (user.households). */
const HOUSEHOLD_SCOPED: readonly Role[] = ['family'];

export interface HouseholdScope {
  /**
   * The household a request touches: its id, null when the resource it names does not exist, undefined
   * when it names no household (a list, filtered by the handler).
   */
  household(request: FastifyRequest): string | null | undefined | Promise<string | null | undefined>;
  /** The 404 answered both for a missing resource and for one in a household the user may not see. */
  notFound: ErrorCode;
}

export interface Guard {
  /** onRequest: resolves the session (bearer token or cookie) of every non-public route; 401 without one. */
  authenticate(request: FastifyRequest): Promise<void>;
  /**
   * preHandler: 403 unless the user has one of `roles`. With a scope, a family user asking about a
   * household not linked to them gets the scope's 404 first, exactly as if it did not exist (ids don't leak).
   */
  requireRole(roles: readonly Role[], scope?: HouseholdScope): preHandlerAsyncHookHandler;
  /** The authenticated user of a request that passed requireRole. */
  userOf(request: FastifyRequest): SessionUser;
  /** The household ids a user may see, or undefined for all. */
  visibleHouseholds(user: User): readonly string[] | undefined;
  canSeeHousehold(user: User, householdId: string): boolean;
  /** Refuses to register a route that is neither public nor guarded (a forgotten check fails at boot). */
  enforceOn(app: FastifyInstance): void;
  /** The roles a route's requireRole check admits (its preHandlers), or null for a route without one. */
  rolesOf(route: Pick<RouteOptions, 'preHandler'>): readonly Role[] | null;
}

export function createGuard(registry: Registry, sessions: SessionStore): Guard {
  const users = new WeakMap<FastifyRequest, SessionUser>();
  /** Each requireRole check and the roles it admits. */
  const guards = new WeakMap<object, readonly Role[]>();
  const rolesOf = (route: Pick<RouteOptions, 'preHandler'>): readonly Role[] | null => {
    for (const h of [route.preHandler ?? []].flat()) {
      const roles = typeof h === 'function' ? guards.get(h) : undefined;
      if (roles) return roles;
    }
    return null;
  };

  const visibleHouseholds = (user: User) =>
    HOUSEHOLD_SCOPED.includes(user.role) ? user.households : undefined;
  const canSeeHousehold = (user: User, householdId: string) =>
    visibleHouseholds(user)?.includes(householdId) ?? true;

  const userOf = (request: FastifyRequest): SessionUser => {
    const user = users.get(request);
    if (!user) throw new HubError('HUB_ERR_UNAUTHENTICATED');
    return user;
  };

  return {
    async authenticate(request) {
      if (request.is404 || request.routeOptions.config.public) return;
      const token = sessionToken(request);
      const user = token ? await sessionUserOf(sessions, registry, token) : null;
      if (!token || !user) throw new HubError('HUB_ERR_UNAUTHENTICATED');
      users.set(request, user);
    },
    requireRole(roles, scope) {
      const check: preHandlerAsyncHookHandler = async (request) => {
        const user = userOf(request);
        if (scope && HOUSEHOLD_SCOPED.includes(user.role)) {
          const householdId = await scope.household(request);
          if (householdId === null || (householdId !== undefined && !canSeeHousehold(user, householdId))) {
            throw new HubError(scope.notFound);
          }
        }
        if (!roles.includes(user.role)) throw new HubError('HUB_ERR_FORBIDDEN');
      };
      guards.set(check, roles);
      return check;
    },
    rolesOf,
    userOf,
    visibleHouseholds,
    canSeeHousehold,
    enforceOn(app) {
      app.addHook('onRoute', (route) => {
        if (route.config?.public) return;
        if (rolesOf(route) === null) {
          throw new Error(
            `route ${String(route.method)} ${route.url} is neither public nor guarded by requireRole`,
          );
        }
      });
    },
  };
}

/** `:id` of a route's params (already validated by its schema). */
export const paramId = (request: FastifyRequest): string =>
  String((request.params as { id?: unknown }).id ?? '');
