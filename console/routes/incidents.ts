import { Type as T } from '@sinclair/typebox';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { INCIDENT_STATES } from '../../alerts/incidents/events.ts';
import {
  type Actor,
  type Incident,
  type IncidentAction,
  nextState,
  OUTCOMES,
} from '../../alerts/incidents/model.ts';
import { HubError } from '../../kernel/errors.ts';
import type { Role } from '../../kernel/registry/types.ts';
import * as X from '../api-examples.ts';
import { DISPATCH, type HouseholdScope, paramId } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { caseOf, type ErrorCase, errors } from '../error-responses.ts';
import { EtaSchema, IncidentDetailSchema, IncidentSchema, SuggestionSchema } from '../response-schemas.ts';
import { ListOf, OperatorId, SECURED, StringEnum, withExample } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';
import { familyIncident, familyTimeline } from '../views/family-incident.ts';
import { HouseholdView, residentViews } from '../views/household-view.ts';
import { IncidentContextSchema } from '../views/schemas.ts';

const tags = ['incidents'];
/** Who may read incidents: the dispatch center, a responder (theirs only), a family (their households only). */
const READERS: readonly Role[] = ['admin', 'supervisor', 'dispatcher', 'responder', 'family'];
/** A responder may accept, decline, arrive and resolve the incidents assigned to them. */
const FIELD: readonly Role[] = [...DISPATCH, 'responder'];

const Strict = { additionalProperties: false } as const;
const IncidentParams = T.Object({
  id: T.String({ minLength: 1, maxLength: 100, examples: [X.INCIDENT_ID] }),
});
/** Every incident route: an id that does not exist (or, for a responder, one not assigned to them). */
const UNKNOWN_INCIDENT = {
  code: 'HUB_ERR_NOT_FOUND',
  message: 'unknown incident',
} as const satisfies ErrorCase;
/**
 * The 409s of an action: refused by the state machine (as nextState words it, here for a resolved
 * incident), and the one a dispatcher gets when another changed the incident first.
 */
function refusals(action: IncidentAction): ErrorCase[] {
  const meanwhile: ErrorCase = {
    code: 'HUB_ERR_INCIDENT_STATE',
    message: `incident ${X.INCIDENT_ID} changed meanwhile`,
    details: { action },
    note: 'another dispatcher or responder acted first',
  };
  try {
    nextState('resolved', action);
  } catch (err) {
    if (err instanceof HubError) return [caseOf(err), meanwhile];
  }
  return [meanwhile];
}

const Epoch = T.Integer({ minimum: 0, description: 'epoch ms' });

const PositionBody = withExample(
  T.Object(
    { lat: T.Number({ minimum: -90, maximum: 90 }), lon: T.Number({ minimum: -180, maximum: 180 }) },
    Strict,
  ),
  X.POSITION,
);
const ListQuery = T.Object(
  {
    state: T.Optional(StringEnum(INCIDENT_STATES)),
    active: T.Optional(
      T.Boolean({ description: 'true: only incidents not resolved or cancelled (the queue)' }),
    ),
    class: T.Optional(StringEnum(['emergency', 'wellness', 'non_emergency'] as const)),
    household: T.Optional(OperatorId),
    from: T.Optional(Epoch),
    to: T.Optional(Epoch),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 1000 })),
  },
  Strict,
);

type ActionBody = Record<string, unknown> | undefined;

/**
 * Incidents (issue 6): the list with filters, one incident with its timeline (audit + evidence), and the
 * lifecycle actions. A responder acts only on incidents assigned to them; a family reads only its own
 * households' incidents; both get 404 for the others, exactly as if they did not exist.
 */
export function incidentRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    const { guard, incidents, registry } = ctx;
    if (!incidents) return; // a console started without the alerts room
    const byParam: HouseholdScope = {
      household: async (request) => (await incidents.get(paramId(request)))?.householdId ?? null,
      notFound: 'HUB_ERR_NOT_FOUND',
    };
    const actorOf = (request: FastifyRequest): Actor => {
      const user = guard.userOf(request);
      const agent = request.headers['user-agent'];
      return { userId: user.id, username: user.username, ip: request.ip, userAgent: agent ?? null };
    };
    /** The responder records linked to a responder user. */
    const responderIdsOf = async (userId: number) =>
      (await registry.people.listResponders()).filter((r) => r.userId === userId).map((r) => r.id);
    /** The incident, or 404 when it does not exist or a responder user is not its (pending) responder. */
    const visible = async (request: FastifyRequest): Promise<Incident> => {
      const user = guard.userOf(request);
      const incident = await incidents.get(paramId(request));
      if (!incident) throw new HubError('HUB_ERR_NOT_FOUND', 'unknown incident');
      if (user.role === 'responder') {
        const mine = await responderIdsOf(user.id);
        const assigned = [incident.responderId, incident.pendingResponderId];
        if (!assigned.some((id) => id !== null && mine.includes(id))) {
          throw new HubError('HUB_ERR_NOT_FOUND', 'unknown incident');
        }
      }
      return incident;
    };

    app.get(
      '/incidents',
      {
        preHandler: guard.requireRole(READERS),
        schema: {
          tags,
          summary: 'Incidents, newest first (a family sees its households, a responder its assignments)',
          security: SECURED,
          querystring: ListQuery,
          response: { 200: ListOf(IncidentSchema) },
        },
      },
      async (request) => {
        const user = guard.userOf(request);
        const q = request.query;
        const households = guard.visibleHouseholds(user);
        const list = await incidents.list({
          ...(q.state ? { state: q.state } : {}),
          ...(q.active ? { active: true } : {}),
          ...(q.class ? { class: q.class } : {}),
          ...(q.household ? { householdId: q.household } : {}),
          ...(q.from !== undefined ? { from: q.from } : {}),
          ...(q.to !== undefined ? { to: q.to } : {}),
          ...(households ? { households } : {}),
          limit: q.limit ?? 500,
        });
        if (user.role === 'family') return list.map(familyIncident);
        const mine = user.role === 'responder' ? await responderIdsOf(user.id) : null;
        const visibleList = mine
          ? list.filter((i) =>
              [i.responderId, i.pendingResponderId].some((id) => id !== null && mine.includes(id)),
            )
          : list;
        const escalations = await incidents.lastEscalations(visibleList.map((i) => i.id));
        return visibleList.map((i) => ({ ...i, lastEscalation: escalations.get(i.id) ?? null }));
      },
    );

    app.get(
      '/incidents/:id',
      {
        preHandler: guard.requireRole(READERS, byParam),
        schema: {
          tags,
          summary: 'One incident with its timeline (audit entries and evidence, oldest first)',
          security: SECURED,
          params: IncidentParams,
          response: { 200: IncidentDetailSchema, ...errors(UNKNOWN_INCIDENT) },
        },
      },
      async (request) => {
        const user = guard.userOf(request);
        const detail = await incidents.detail((await visible(request)).id);
        if (!detail) throw new HubError('HUB_ERR_NOT_FOUND', 'unknown incident');
        // A family follows the progress; evidence, comments and who clicked from where stay with the
        // dispatch center.
        if (user.role === 'family') {
          const timeline = familyTimeline(detail.timeline);
          return { ...familyIncident(detail.incident), alarmIds: detail.alarmIds, timeline };
        }
        return { ...detail.incident, alarmIds: detail.alarmIds, timeline: detail.timeline };
      },
    );

    const action = (
      name: IncidentAction,
      roles: readonly Role[],
      summary: string,
      body: ReturnType<typeof T.Object> | null,
      run: (id: string, actor: Actor, body: ActionBody) => Promise<Incident>,
      extra: readonly ErrorCase[] = [],
    ) => {
      app.post(
        `/incidents/:id/${name}`,
        {
          preHandler: guard.requireRole(roles, byParam),
          schema: {
            tags,
            summary,
            security: SECURED,
            params: IncidentParams,
            ...(body ? { body } : {}),
            response: { 200: IncidentSchema, ...errors(UNKNOWN_INCIDENT, ...refusals(name), ...extra) },
          },
        },
        async (request) => run((await visible(request)).id, actorOf(request), request.body as ActionBody),
      );
    };
    const view = new HouseholdView({
      registry,
      ingest: ctx.ingest.queries,
      alerts: ctx.alerts,
      incidents,
      away: ctx.away,
      now: () => ctx.clock.now(),
    });
    app.get(
      '/incidents/:id/context',
      {
        preHandler: guard.requireRole(FIELD, byParam),
        schema: {
          tags,
          summary:
            "What a dispatcher or the assigned responder needs: resident (age, care notes), address and grid, contacts, devices' state, open alarms",
          security: SECURED,
          params: IncidentParams,
          response: {
            200: IncidentContextSchema,
            ...errors(UNKNOWN_INCIDENT, {
              code: 'HUB_ERR_NOT_FOUND',
              message: 'the household of this incident was deleted',
            }),
          },
        },
      },
      async (request) => {
        const incident = await visible(request);
        const household = await registry.households.get(incident.householdId);
        if (!household) throw new HubError('HUB_ERR_NOT_FOUND', 'the household of this incident was deleted');
        const [devices, openAlarms, lastMovementAt] = await Promise.all([
          view.devices(household.id),
          view.openAlarms(household.id),
          view.lastMovementAt(household.id),
        ]);
        return {
          incidentId: incident.id,
          household,
          residents: residentViews(await registry.households.residents(household.id), ctx.clock.now()),
          contacts: (await registry.households.contacts(household.id)).sort(
            (a, b) => a.priority - b.priority,
          ),
          devices,
          openAlarms,
          lastMovementAt,
        };
      },
    );
    app.get(
      '/incidents/:id/suggestions',
      {
        preHandler: guard.requireRole(DISPATCH, byParam),
        schema: {
          tags,
          summary:
            'Suggested responders: grid worker, nearest station staff, volunteers; busy ones left out; by kind, then distance',
          security: SECURED,
          params: IncidentParams,
          response: { 200: ListOf(SuggestionSchema), ...errors(UNKNOWN_INCIDENT) },
        },
      },
      async (request) => incidents.suggestions((await visible(request)).id),
    );

    app.post(
      '/incidents/:id/position',
      {
        preHandler: guard.requireRole(FIELD, byParam),
        schema: {
          tags,
          summary: "The responder's position: ETA recomputed; past the on-site deadline escalates early",
          security: SECURED,
          params: IncidentParams,
          body: PositionBody,
          response: {
            200: EtaSchema,
            ...errors(
              UNKNOWN_INCIDENT,
              {
                code: 'HUB_ERR_INCIDENT_STATE',
                message: 'no responder is on the way to this incident',
                details: { state: 'on_site' },
              },
              { code: 'HUB_ERR_VALIDATION', message: 'the household has no location: no ETA' },
            ),
          },
        },
      },
      async (request) => incidents.position((await visible(request)).id, request.body, actorOf(request)),
    );

    const text = (body: ActionBody, key: string) => String(body?.[key] ?? '');

    action(
      'acknowledge',
      DISPATCH,
      'A dispatcher takes the incident (one of two at once wins; the other 409)',
      null,
      (id, a) => incidents.acknowledge(id, a),
    );
    action(
      'assign',
      DISPATCH,
      'Assign a responder (pending until they accept)',
      withExample(T.Object({ responderId: OperatorId }, Strict), X.ASSIGN),
      (id, a, b) => incidents.assign(id, text(b, 'responderId'), a),
      [{ code: 'HUB_ERR_NOT_FOUND', message: 'unknown responder rsp-0009' }],
    );
    const NOT_ASSIGNED: ErrorCase = {
      code: 'HUB_ERR_INCIDENT_STATE',
      message: 'no responder is assigned to this incident',
      details: { state: 'acknowledged' },
    };
    action(
      'accept',
      FIELD,
      'The assigned responder accepts: dispatched',
      null,
      (id, a) => incidents.accept(id, a),
      [NOT_ASSIGNED],
    );
    action(
      'decline',
      FIELD,
      'The assigned responder declines: back to be assigned',
      null,
      (id, a) => incidents.decline(id, a),
      [NOT_ASSIGNED],
    );
    action('arrive', FIELD, 'The responder is at the door: on site', null, (id, a) =>
      incidents.arrive(id, a),
    );
    action(
      'resolve',
      FIELD,
      'Resolve with an outcome and a note',
      withExample(
        T.Object({ outcome: StringEnum(OUTCOMES), note: T.String({ maxLength: 2000 }) }, Strict),
        X.RESOLVE,
      ),
      (id, a, b) =>
        incidents.resolve(id, text(b, 'outcome') as (typeof OUTCOMES)[number], text(b, 'note'), a),
    );
    action(
      'cancel',
      DISPATCH,
      'Cancel with a reason (before on site)',
      withExample(T.Object({ reason: T.String({ minLength: 1, maxLength: 500 }) }, Strict), X.CANCEL),
      (id, a, b) => incidents.cancel(id, text(b, 'reason'), a),
    );
    action(
      'comment',
      DISPATCH,
      'Add a comment to the timeline',
      withExample(T.Object({ text: T.String({ minLength: 1, maxLength: 2000 }) }, Strict), X.COMMENT),
      (id, a, b) => incidents.comment(id, text(b, 'text'), a),
    );
  };
}
