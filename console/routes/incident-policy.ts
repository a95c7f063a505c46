import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { ALARM_TYPES, type AlarmClass, type AlarmType } from '../../alerts/alarm.ts';
import { ALARM_CLASSES, builtIn } from '../../alerts/incidents/policy.ts';
import {
  IncidentPolicy,
  POLICY_SCOPES,
  type PolicyScope,
  ResolvedPolicy,
} from '../../alerts/incidents/policy-schema.ts';
import { HubError } from '../../kernel/errors.ts';
import type { Role } from '../../kernel/registry/types.ts';
import * as X from '../api-examples.ts';
import { DISPATCH } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { type ErrorCase, errors } from '../error-responses.ts';
import { SECURED, StringEnum, withExample } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found } from './lookups.ts';

/** Deadlines and the ladder are the dispatch center's promise: admin and supervisor change them. */
const WRITERS: readonly Role[] = ['admin', 'supervisor'];

const Params = T.Object({
  scope: withExample(StringEnum(POLICY_SCOPES), 'household'),
  key: T.String({
    minLength: 1,
    maxLength: 64,
    description: 'the class, the alarm type or the household id',
    examples: [X.HOUSEHOLD.id],
  }),
});

const Query = T.Object(
  {
    class: T.Optional(StringEnum(ALARM_CLASSES, { description: 'answer `effective` for this class' })),
    alarmType: T.Optional(StringEnum(ALARM_TYPES, { description: 'and this alarm type (household scope)' })),
  },
  { additionalProperties: false },
);

/** A key its scope does not know (checkKey): an unknown household, class or alarm type. */
const UNKNOWN_KEY = [
  { code: 'HUB_ERR_HOUSEHOLD_UNKNOWN', note: 'scope household' },
  {
    code: 'HUB_ERR_VALIDATION',
    message: 'unknown class urgent',
    details: { scope: 'class', key: 'urgent' },
    note: 'scope class or alarm_type: a key it does not know',
  },
] as const satisfies readonly ErrorCase[];

/** The example's household takes the emergency class's built-in policy, with its own on-site deadline. */
const EMERGENCY = builtIn('emergency');
const PolicyView = withExample(
  T.Object({
    defaults: T.Object({
      emergency: ResolvedPolicy,
      non_emergency: ResolvedPolicy,
      wellness: ResolvedPolicy,
    }),
    override: IncidentPolicy,
    effective: T.Optional(ResolvedPolicy),
  }),
  {
    defaults: {
      emergency: EMERGENCY,
      non_emergency: builtIn('non_emergency'),
      wellness: builtIn('wellness'),
    },
    override: X.POLICY_OVERRIDE,
    effective: { ...EMERGENCY, deadlines: { ...EMERGENCY.deadlines, ...X.POLICY_OVERRIDE.deadlines } },
  },
);

/**
 * Incident deadlines and escalation ladders per class, alarm type or household (issue 6;
 * alerts/incidents/policy.ts): the household's win over the alarm type's, which win over the class's and
 * the built-in defaults. PUT replaces the scope's override (an unknown key or a value out of range: 400);
 * DELETE drops it (404 when it had none). GET answers `effective` for a class scope, and for the others
 * when asked `?class=` (and `?alarmType=` for a household). New incidents use it; open ones keep theirs.
 */
export function incidentPolicyRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, guard, incidentPolicy: store } = ctx;
    if (!store) return; // a console started without the alerts room

    /** A key the scope does not know: 404 (a household), 400 (a class or alarm type). */
    const checkKey = async (scope: PolicyScope, key: string) => {
      if (scope === 'household') found(await registry.households.get(key), 'HUB_ERR_HOUSEHOLD_UNKNOWN');
      const known =
        scope === 'class'
          ? ALARM_CLASSES.includes(key as AlarmClass)
          : scope === 'alarm_type'
            ? ALARM_TYPES.includes(key as AlarmType)
            : true;
      if (!known) throw new HubError('HUB_ERR_VALIDATION', `unknown ${scope} ${key}`, { scope, key });
    };
    const path = '/incident-policy/:scope/:key';
    const tags = ['incidents'];

    app.get(
      path,
      {
        preHandler: guard.requireRole(DISPATCH),
        schema: {
          tags,
          summary: "The scope's incident-policy override, the defaults and (when known) the effective policy",
          security: SECURED,
          params: Params,
          querystring: Query,
          response: {
            200: PolicyView,
            ...errors(...UNKNOWN_KEY),
          },
        },
      },
      async (request) => {
        const { scope, key } = request.params;
        await checkKey(scope, key);
        return store.view(scope, key, { cls: request.query.class, alarmType: request.query.alarmType });
      },
    );

    app.put(
      path,
      {
        preHandler: guard.requireRole(WRITERS),
        schema: {
          tags,
          summary: "Replace the scope's incident-policy override (deadlines per stage, the whole ladder)",
          security: SECURED,
          params: Params,
          querystring: Query,
          body: withExample(IncidentPolicy, X.POLICY_OVERRIDE),
          response: {
            200: PolicyView,
            ...errors(...UNKNOWN_KEY, {
              code: 'HUB_ERR_VALIDATION',
              message: 'ladder step names must be unique',
              details: { steps: ['breach_15m', 'breach_15m'] },
            }),
          },
        },
      },
      async (request) => {
        const { scope, key } = request.params;
        await checkKey(scope, key);
        await store.put(scope, key, request.body);
        return store.view(scope, key, { cls: request.query.class, alarmType: request.query.alarmType });
      },
    );

    app.delete(
      path,
      {
        preHandler: guard.requireRole(WRITERS),
        schema: {
          tags,
          summary: "Drop the scope's incident-policy override (404 when it has none)",
          security: SECURED,
          params: Params,
          querystring: Query,
          response: {
            200: PolicyView,
            ...errors(...UNKNOWN_KEY, {
              code: 'HUB_ERR_NOT_FOUND',
              message: 'household hh-0001 has no incident-policy override',
            }),
          },
        },
      },
      async (request) => {
        const { scope, key } = request.params;
        await checkKey(scope, key);
        if (!(await store.clear(scope, key))) {
          throw new HubError('HUB_ERR_NOT_FOUND', `${scope} ${key} has no incident-policy override`);
        }
        return store.view(scope, key, { cls: request.query.class, alarmType: request.query.alarmType });
      },
    );
  };
}
