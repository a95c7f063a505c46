import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { HubError } from '../../kernel/errors.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import type { Role, User as UserRecord } from '../../kernel/registry/types.ts';
import { hashSecret } from '../../kernel/secrets.ts';
import * as X from '../api-examples.ts';
import { ADMIN } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { caseOf, errors } from '../error-responses.ts';
import { invalidField } from '../errors.ts';
import { ListOf, numericIdParams, SECURED, User, UserCreate, UserUpdate } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found } from './lookups.ts';

const tags = ['users'];
const UserIdParams = numericIdParams(X.USER.id);

/** Household links: only for family users, each naming a household (checkHouseholds). */
const BAD_HOUSEHOLDS = caseOf(
  invalidField('/households/0', 'names no household (hh-0009)'),
  'households are only for family users, and each must exist',
);
const LAST_ADMIN = { code: 'HUB_ERR_CONFLICT', message: 'the last enabled admin cannot be removed' } as const;

/** Household links only mean something for family users; each must name a household. */
async function checkHouseholds(registry: Registry, role: Role, households: readonly string[]): Promise<void> {
  if (role !== 'family' && households.length > 0) {
    throw invalidField('/households', 'are only for family users');
  }
  for (const [i, id] of households.entries()) {
    if (!(await registry.households.get(id)))
      throw invalidField(`/households/${i}`, `names no household (${id})`);
  }
}

/** Refuses to leave the hub without an enabled admin (nobody could provision or fix anything). */
async function keepAnAdmin(
  registry: Registry,
  user: UserRecord,
  next: { role: Role; enabled: boolean } | null,
): Promise<void> {
  if (user.role !== 'admin' || !user.enabled) return;
  if (next && next.role === 'admin' && next.enabled) return;
  const others = (await registry.people.listUsers()).filter(
    (u) => u.role === 'admin' && u.enabled && u.id !== user.id,
  );
  if (others.length === 0) throw new HubError(LAST_ADMIN.code, LAST_ADMIN.message);
}

/**
 * Console users: admin only. Passwords are stored as scrypt hashes and never answered. The user is the
 * registry's, their login sessions the console's: a user disabled, deleted or given a new password has
 * their sessions ended here, in the same transaction.
 */
export function userRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, sessions, guard } = ctx;
    const people = registry.people;
    const adminOnly = guard.requireRole(ADMIN);

    app.get(
      '/users',
      {
        preHandler: adminOnly,
        schema: {
          tags,
          summary: 'All users',
          security: SECURED,
          response: { 200: ListOf(User) },
        },
      },
      async () => people.listUsers(),
    );

    app.get(
      '/users/:id',
      {
        preHandler: adminOnly,
        schema: {
          tags,
          summary: 'One user',
          security: SECURED,
          params: UserIdParams,
          response: { 200: User, ...errors('HUB_ERR_NOT_FOUND') },
        },
      },
      async (request) => found(await people.getUser(request.params.id)),
    );

    app.post(
      '/users',
      {
        preHandler: adminOnly,
        schema: {
          tags,
          summary: 'Create a user (family users with their households)',
          security: SECURED,
          body: UserCreate,
          response: {
            201: User,
            ...errors(BAD_HOUSEHOLDS, {
              code: 'HUB_ERR_CONFLICT',
              message: 'user li.jianguo already exists',
            }),
          },
        },
      },
      async (request, reply) => {
        const { password, ...rest } = request.body;
        const households = rest.households ?? [];
        await checkHouseholds(registry, rest.role, households);
        const passwordHash = await hashSecret(password);
        // Checked after the (slow) hash, in the transaction of the write.
        const user = await registry.transaction(async () => {
          if (await people.userByName(rest.username)) {
            throw new HubError('HUB_ERR_CONFLICT', `user ${rest.username} already exists`);
          }
          await checkHouseholds(registry, rest.role, households);
          return people.createUser({ ...rest, households, passwordHash });
        });
        request.log.info({ userId: user.id, role: user.role }, 'user created');
        return reply.code(201).send(user);
      },
    );

    app.put(
      '/users/:id',
      {
        preHandler: adminOnly,
        schema: {
          tags,
          summary: 'Update a user (fields left out keep their value; a new password ends their sessions)',
          security: SECURED,
          params: UserIdParams,
          body: UserUpdate,
          response: {
            200: User,
            ...errors('HUB_ERR_NOT_FOUND', BAD_HOUSEHOLDS, LAST_ADMIN),
          },
        },
      },
      async (request) => {
        const { password, ...patch } = request.body;
        const passwordHash = password === undefined ? undefined : await hashSecret(password);
        // Checked after the (slow) hash, in the transaction of the write.
        const user = await registry.transaction(async () => {
          const existing = found(await people.getUser(request.params.id));
          const role = patch.role ?? existing.role;
          // Leaving the family role drops the household links; they would mean nothing.
          const households = patch.households ?? (role === 'family' ? existing.households : []);
          await checkHouseholds(registry, role, households);
          const enabled = patch.enabled ?? existing.enabled;
          await keepAnAdmin(registry, existing, { role, enabled });
          await people.updateUser(existing.id, {
            ...patch,
            households,
            ...(passwordHash ? { passwordHash } : {}),
          });
          if (passwordHash || !enabled) await sessions.deleteSessions(existing.id);
          return found(await people.getUser(existing.id));
        });
        request.log.info({ userId: user.id, role: user.role }, 'user updated');
        return user;
      },
    );

    app.delete(
      '/users/:id',
      {
        preHandler: adminOnly,
        schema: {
          tags,
          summary: 'Delete a user and end their sessions',
          security: SECURED,
          params: UserIdParams,
          response: {
            204: T.Null(),
            ...errors('HUB_ERR_NOT_FOUND', LAST_ADMIN),
          },
        },
      },
      async (request, reply) => {
        const user = await registry.transaction(async () => {
          const user = found(await people.getUser(request.params.id));
          await keepAnAdmin(registry, user, null);
          await sessions.deleteSessions(user.id);
          await people.deleteUser(user.id);
          return user;
        });
        request.log.info({ userId: user.id }, 'user deleted');
        return reply.code(204).send(null);
      },
    );
  };
}
