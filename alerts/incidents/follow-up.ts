/**
 * What follows an assignment (issue 6, Responders and Escalation): a responder who has not accepted within
 * 2 min is replaced by the next suggested one, on a persisted rule timer (fires once, and at once after a
 * restart); a responder's position refines the ETA, and an ETA past the on-site deadline escalates early.
 */
import type { EventBus } from '../../kernel/bus.ts';
import type { Clock } from '../../kernel/clock.ts';
import { HubError } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import { haversineM } from '../geo.ts';
import type { IncidentStore, Transactions } from '../store/types.ts';
import type { FiredTimer, RuleTimers } from '../timers.ts';
import type { Audience, IncidentState } from './events.ts';
import { type Actor, type Incident, SYSTEM, summary } from './model.ts';
import {
  ASSIGNMENT_FOLLOWUP_MS,
  ASSIGNMENT_KIND,
  type AssignmentPayload,
  assignmentKey,
  ETA_STEP,
  etaMinutes,
  REASSIGNED_STEP,
  type Suggestion,
  suggestResponders,
} from './responders.ts';

/** A refined ETA from a responder's position. */
export interface EtaUpdate {
  incidentId: string;
  responderId: string;
  /** metres from the position to the household */
  distanceM: number;
  etaMinutes: number;
  /** epoch ms */
  etaAt: number;
  /** the on-site deadline, epoch ms; null when the incident's class has none */
  onSiteDueAt: number | null;
  /** this update escalated (first ETA past the on-site deadline) */
  escalated: boolean;
}

const NOT_ON_SITE: readonly IncidentState[] = ['open', 'acknowledged', 'dispatched'];

type Assign = (
  id: string,
  responderId: string,
  actor: Actor,
  detail: Record<string, unknown>,
) => Promise<Incident>;

export class ResponderFollowUp {
  readonly #tx: Transactions;
  readonly #store: IncidentStore;
  readonly #timers: RuleTimers;
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #registry: Registry;
  readonly #assign: Assign;

  constructor(deps: {
    tx: Transactions;
    store: IncidentStore;
    timers: RuleTimers;
    bus: EventBus;
    clock: Clock;
    log: Logger;
    registry: Registry;
    /** the service's assign (state machine, audit, incidentUpdated) */
    assign: Assign;
  }) {
    this.#tx = deps.tx;
    this.#store = deps.store;
    this.#timers = deps.timers;
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#registry = deps.registry;
    this.#assign = deps.assign;
  }

  /** Registers the follow-up timer handler; before the rule timers start. */
  start(): void {
    this.#timers.on<AssignmentPayload>(ASSIGNMENT_KIND, (t) => this.#followUp(t));
  }

  async suggestions(incident: Incident): Promise<Suggestion[]> {
    return await suggestResponders(this.#registry, incident, await this.#store.busyResponders(incident.id));
  }

  /** After an assignment: the follow-up 2 min later (re-arming replaces an earlier assignment's). */
  async assigned(incident: Incident): Promise<void> {
    if (!incident.pendingResponderId || incident.assignedAt === null) return;
    const payload: AssignmentPayload = {
      incidentId: incident.id,
      responderId: incident.pendingResponderId,
      assignedAt: incident.assignedAt,
    };
    await this.#timers.arm(
      assignmentKey(incident.id),
      ASSIGNMENT_KIND,
      incident.householdId,
      incident.assignedAt + ASSIGNMENT_FOLLOWUP_MS,
      payload,
    );
  }

  /** Accepted, declined or closed: no follow-up any more. */
  async settled(incidentId: string): Promise<void> {
    await this.#timers.cancel(assignmentKey(incidentId));
  }

  /**
   * The assigned responder still has not accepted: offered to the next suggestion not yet tried on this
   * incident (audited as an assign by the system), announced to the dispatchers and the new responder.
   * Without a next one, the dispatchers are told and the assignment stays.
   */
  async #followUp(t: FiredTimer<AssignmentPayload>): Promise<void> {
    const p = t.payload;
    const incident = await this.#store.get(p.incidentId);
    if (
      incident?.state !== 'acknowledged' ||
      incident.pendingResponderId !== p.responderId ||
      incident.assignedAt !== p.assignedAt
    ) {
      return; // accepted, declined, re-assigned or closed meanwhile
    }
    const tried = new Set(
      (await this.#store.auditOf(incident.id))
        .filter((a) => a.action === 'assign')
        .map((a) => String(a.detail.responderId)),
    );
    tried.add(p.responderId);
    const next = (
      await suggestResponders(this.#registry, incident, await this.#store.busyResponders(incident.id), tried)
    )[0];
    const now = this.#clock.now();
    if (!next) {
      await this.#announce(incident, REASSIGNED_STEP, ['dispatchers'], t.late, {
        previousResponderId: p.responderId,
        responderId: null,
      });
      return;
    }
    const reassigned = await this.#assign(incident.id, next.responderId, SYSTEM, {
      responderId: next.responderId,
      previousResponderId: p.responderId,
      reason: 'not accepted within 2 min',
    });
    await this.assigned(reassigned);
    this.#log.warn(
      { incident: incident.id, from: p.responderId, to: next.responderId, late: t.late, at: now },
      'assignment offered to the next responder',
    );
    await this.#announce(reassigned, REASSIGNED_STEP, ['dispatchers', 'responder'], t.late, {
      previousResponderId: p.responderId,
      responderId: next.responderId,
    });
  }

  /**
   * A position of the incident's responder: the ETA (at the kind's assumed speed, straight line) is
   * recomputed and kept in the audit trail; the first ETA past the on-site deadline escalates to the
   * supervisor at once (step eta_past_deadline, once per incident).
   */
  async position(incident: Incident, pos: { lat: number; lon: number }, actor: Actor): Promise<EtaUpdate> {
    const responderId = incident.responderId ?? incident.pendingResponderId;
    if (!responderId || !NOT_ON_SITE.includes(incident.state)) {
      throw new HubError('HUB_ERR_INCIDENT_STATE', 'no responder is on the way to this incident', {
        state: incident.state,
      });
    }
    const home = (await this.#registry.households.get(incident.householdId))?.location;
    if (!home) throw new HubError('HUB_ERR_VALIDATION', 'the household has no location: no ETA');
    const kind = (await this.#registry.people.getResponder(responderId))?.kind ?? 'volunteer';
    const now = this.#clock.now();
    const distanceM = Math.round(haversineM(pos, home));
    const eta = etaMinutes(distanceM, kind);
    const etaAt = now + eta * 60_000;
    const onSiteDueAt = incident.stages.on_site?.dueAt ?? null;
    const late = onSiteDueAt !== null && etaAt > onSiteDueAt;
    // Announced inside the transaction: the notifications' outbox rows commit with the audit entry.
    return this.#tx.transaction(async () => {
      const detail = { responderId, lat: pos.lat, lon: pos.lon, distanceM, etaMinutes: eta, etaAt };
      await this.#store.audit(incident.id, now, 'position', actor, { detail });
      const escalated =
        late &&
        !(await this.#store.auditOf(incident.id)).some(
          (a) => a.action === 'escalated' && a.detail.step === ETA_STEP,
        );
      if (escalated) await this.#auditStep(incident, ETA_STEP, ['supervisor'], false, { etaAt, onSiteDueAt });
      await this.#bus.emit('incidentUpdated', {
        incident: summary(incident),
        change: 'position',
        by: actor.username,
        at: now,
      });
      if (escalated) await this.#emitStep(incident, ETA_STEP, ['supervisor'], false);
      return {
        incidentId: incident.id,
        responderId,
        distanceM,
        etaMinutes: eta,
        etaAt,
        onSiteDueAt,
        escalated,
      };
    });
  }

  #announce(
    incident: Incident,
    step: string,
    audience: Audience[],
    late: boolean,
    detail: Record<string, unknown>,
  ): Promise<void> {
    return this.#tx.transaction(async () => {
      await this.#auditStep(incident, step, audience, late, detail);
      await this.#emitStep(incident, step, audience, late);
    });
  }

  #auditStep(
    incident: Incident,
    step: string,
    audience: Audience[],
    late: boolean,
    detail: Record<string, unknown>,
  ): Promise<void> {
    return this.#store.audit(incident.id, this.#clock.now(), 'escalated', SYSTEM, {
      detail: { step, audience, late, ...detail },
    });
  }

  #emitStep(incident: Incident, step: string, audience: Audience[], late: boolean): Promise<void> {
    this.#log.warn({ incident: incident.id, step, late }, 'incident escalated');
    return this.#bus.emit('incidentEscalated', {
      incident: summary(incident),
      step,
      audience,
      late,
      at: this.#clock.now(),
    });
  }
}
