import { type Static, Type as T } from '@sinclair/typebox';
import type { Audience, IncidentStage } from './events.ts';

/**
 * The incident policy a class, an alarm type or a household may override (issue 6 "Deadlines (defaults,
 * configurable per class, alarm type and household)", "Escalation (defaults; configurable ladder)"):
 * deadlines per stage (partial: a stage given replaces that stage) and the escalation ladder (whole: a
 * ladder given replaces the one below it). Unknown keys are refused; ranges are sane (a typo of 60
 * instead of 60 000 ms is refused).
 */
const S = 1000;
const DAY = 24 * 60 * 60 * S;
/** The longest deadline or step offset: 30 days (the non-emergency "resolved ≤ 15 days", doubled). */
export const MAX_POLICY_MS = 30 * DAY;

export const POLICY_SCOPES = ['class', 'alarm_type', 'household'] as const;
export type PolicyScope = (typeof POLICY_SCOPES)[number];

export const INCIDENT_STAGES = [
  'acknowledge',
  'accept',
  'on_site',
  'resolve',
] as const satisfies readonly IncidentStage[];
export const AUDIENCES = [
  'dispatchers',
  'supervisor',
  'contacts',
  'responder',
  'family',
] as const satisfies readonly Audience[];

const DeadlineMs = T.Integer({ minimum: 10 * S, maximum: MAX_POLICY_MS, description: 'ms after the alarm' });
const Stage = T.Union(
  INCIDENT_STAGES.map((s) => T.Literal(s)),
  { description: 'an SLA stage' },
);

export const PolicyDeadlines = T.Object(
  {
    acknowledge: T.Optional(DeadlineMs),
    accept: T.Optional(DeadlineMs),
    on_site: T.Optional(DeadlineMs),
    resolve: T.Optional(DeadlineMs),
  },
  {
    additionalProperties: false,
    description: 'ms after the alarm, per stage; a stage left out is not changed',
  },
);
export type PolicyDeadlines = Static<typeof PolicyDeadlines>;

export const PolicyLadderStep = T.Object(
  {
    step: T.String({ pattern: '^[a-z0-9_]{1,40}$', description: 'the step name, unique in its ladder' }),
    afterMs: T.Union([T.Integer({ minimum: 0, maximum: MAX_POLICY_MS }), T.Literal('deadline')], {
      description:
        "ms after the incident opened, or 'deadline': at the `until` stage's deadline, recording it missed",
    }),
    until: Stage,
    audience: T.Array(T.Union(AUDIENCES.map((a) => T.Literal(a))), { minItems: 1, uniqueItems: true }),
  },
  {
    additionalProperties: false,
    description: 'fires once, at its time, unless the incident reached `until` (or closed) before',
  },
);
export type PolicyLadderStep = Static<typeof PolicyLadderStep>;

export const IncidentPolicy = T.Object(
  {
    deadlines: T.Optional(PolicyDeadlines),
    ladder: T.Optional(T.Array(PolicyLadderStep, { minItems: 1, maxItems: 20 })),
  },
  { additionalProperties: false },
);
export type IncidentPolicy = Static<typeof IncidentPolicy>;

/** A policy with every part resolved: what an incident is opened with. */
export const ResolvedPolicy = T.Object({ deadlines: PolicyDeadlines, ladder: T.Array(PolicyLadderStep) });
export type ResolvedPolicy = Static<typeof ResolvedPolicy>;
