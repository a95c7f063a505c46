import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import { DEFAULT_ALERT_SETTINGS } from '../../alerts/settings.ts';
import type { SettingsScope } from '../../alerts/settings-overrides.ts';
import { AlertSettingsOverrides, AlertSettingsSchema } from '../../alerts/settings-schema.ts';
import { HubError } from '../../kernel/errors.ts';
import type { Role } from '../../kernel/registry/types.ts';
import * as X from '../api-examples.ts';
import { DISPATCH } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { errors } from '../error-responses.ts';
import { HouseholdIdParams, ResidentIdParams, SECURED, withExample } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { found } from './lookups.ts';

/** Thresholds are the dispatch center's judgement: admin and supervisor change them, dispatchers read. */
const WRITERS: readonly Role[] = ['admin', 'supervisor'];

const SettingsView = withExample(
  T.Object({
    defaults: AlertSettingsSchema,
    household: AlertSettingsOverrides,
    resident: T.Optional(AlertSettingsOverrides),
    effective: AlertSettingsSchema,
  }),
  {
    defaults: DEFAULT_ALERT_SETTINGS,
    household: X.SETTINGS_OVERRIDE,
    effective: { ...DEFAULT_ALERT_SETTINGS, ...X.SETTINGS_OVERRIDE },
  },
);

/**
 * Per-household and per-resident overrides of the detection rules' thresholds, active/night hours and
 * geofence radius (issue 5; alerts/settings-overrides.ts). The resident's win over the household's, which
 * win over the hub's defaults. PUT merges a partial object (an unknown key or a value out of range: 400);
 * DELETE drops the level's overrides (404 when it had none).
 */
export function alertSettingsRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { registry, guard, alertSettings: store } = ctx;
    if (!store) return; // a console started without the alerts room (tests of the console alone)

    /** The household and (for the resident scope) resident an id names; 404 when unknown. */
    const target = async (scope: SettingsScope, id: string) => {
      if (scope === 'household') {
        return { householdId: found(await registry.households.get(id), 'HUB_ERR_HOUSEHOLD_UNKNOWN').id };
      }
      const resident = found(await registry.households.getResident(id));
      return { householdId: resident.householdId, residentId: resident.id };
    };

    for (const scope of ['household', 'resident'] as const) {
      const path = `/${scope === 'household' ? 'households' : 'residents'}/:id/alert-settings`;
      const tags = [scope === 'household' ? 'households' : 'residents'];
      const params = scope === 'household' ? HouseholdIdParams : ResidentIdParams;
      const unknown = scope === 'household' ? 'HUB_ERR_HOUSEHOLD_UNKNOWN' : 'HUB_ERR_NOT_FOUND';

      app.get(
        path,
        {
          preHandler: guard.requireRole(DISPATCH),
          schema: {
            tags,
            summary: `The ${scope}'s alert-settings overrides, the defaults and the effective settings`,
            security: SECURED,
            params,
            response: { 200: SettingsView, ...errors(unknown) },
          },
        },
        async (request) => {
          const t = await target(scope, request.params.id);
          return store.view(t.householdId, t.residentId);
        },
      );

      app.put(
        path,
        {
          preHandler: guard.requireRole(WRITERS),
          schema: {
            tags,
            summary: `Override some of the ${scope}'s alert settings (merged into its earlier overrides)`,
            security: SECURED,
            params,
            body: withExample(AlertSettingsOverrides, X.SETTINGS_OVERRIDE),
            response: {
              200: SettingsView,
              ...errors(unknown, {
                code: 'HUB_ERR_VALIDATION',
                message: 'heartRateLow must be below heartRateHigh',
                details: { heartRateLow: 120, heartRateHigh: 110 },
                note: 'the overrides merged with the earlier ones must hold together',
              }),
            },
          },
        },
        async (request) => {
          const t = await target(scope, request.params.id);
          await store.put(scope, request.params.id, t.householdId, request.body);
          return store.view(t.householdId, t.residentId);
        },
      );

      app.delete(
        path,
        {
          preHandler: guard.requireRole(WRITERS),
          schema: {
            tags,
            summary: `Drop the ${scope}'s alert-settings overrides (404 when it has none)`,
            security: SECURED,
            params,
            response: {
              200: SettingsView,
              ...errors(unknown, {
                code: 'HUB_ERR_NOT_FOUND',
                message: `${scope} ${scope === 'household' ? X.HOUSEHOLD.id : X.RESIDENT.id} has no alert-settings overrides`,
              }),
            },
          },
        },
        async (request) => {
          const t = await target(scope, request.params.id);
          if (!(await store.clear(scope, request.params.id))) {
            throw new HubError(
              'HUB_ERR_NOT_FOUND',
              `${scope} ${request.params.id} has no alert-settings overrides`,
            );
          }
          return store.view(t.householdId, t.residentId);
        },
      );
    }
  };
}
