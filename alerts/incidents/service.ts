import { randomUUID } from 'node:crypto';
import type { EventBus } from '../../kernel/bus.ts';
import type { Clock } from '../../kernel/clock.ts';
import { HubError } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Metrics } from '../../kernel/metrics.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import type { Responder } from '../../kernel/registry/types.ts';
import { type Alarm, type AlarmChange, type Evidence, MAX_EVIDENCE, maxSeverity } from '../alarm.ts';
import type { AlarmService } from '../alarms.ts';
import type { MessageCause } from '../message-cause.ts';
import type {
  AuditEntry,
  IncidentFilter,
  IncidentStore,
  PathStore,
  PolicyStore,
  Transactions,
} from '../store/types.ts';
import type { FiredTimer, RuleTimers } from '../timers.ts';
import { type PathPoint, type PathTimes, POINT_REACHED_BY, pathEntries } from './alarm-path.ts';
import {
  armLadder,
  cancelPassedSteps,
  ESCALATION_KIND,
  type EscalationPayload,
  pendingSteps,
  stepOf,
  stepRelevant,
} from './escalation.ts';
import { type EtaUpdate, ResponderFollowUp } from './follow-up.ts';
import {
  type Actor,
  CLOSED_STATES,
  type Incident,
  type IncidentAction,
  nextState,
  type Outcome,
  openedIncident,
  residentCancelledAt,
  STAGE_REACHED_BY,
  SYSTEM,
  summary,
} from './model.ts';
import { AlarmPathRecorder } from './path-recorder.ts';
import { IncidentPolicyService } from './policy.ts';
import type { Suggestion } from './responders.ts';

const OWNER = 'incidents';
/** Evidence entries kept per incident: the first (what started it) and the newest. */
const MAX_INCIDENT_EVIDENCE = 2 * MAX_EVIDENCE;

function trimEvidence(list: Evidence[]): Evidence[] {
  if (list.length <= MAX_INCIDENT_EVIDENCE) return list;
  const first = list[0];
  const rest = list.slice(list.length - (MAX_INCIDENT_EVIDENCE - 1));
  return first ? [first, ...rest] : rest;
}

export type TimelineEntry =
  | ({ kind: 'audit' } & Omit<AuditEntry, 'incidentId'> & {
        /** who acted as people know them: the user's display name (else their responder's name, else user name); null for the system */
        actorName?: string | null;
        /** the acting user's role; null for the system */
        actorRole?: string | null;
        /** the name of the responder in the entry's detail (assigned, reassigned …), when it has one */
        responderName?: string | null;
      })
  | { kind: 'evidence'; at: number; evidence: Evidence }
  /** a point of the alarm path reached (alarm-path.ts), with the ms since the one reached before it */
  | { kind: 'path'; at: number; point: PathPoint; sincePreviousMs: number | null };

export interface IncidentDetail {
  incident: Incident;
  alarmIds: string[];
  /** audit entries, evidence and the alarm path's points, oldest first */
  timeline: TimelineEntry[];
}

/**
 * Incidents (issue 6): opened from `alarmRaised`; a further alarm of the same household and type joins the
 * open incident. Transitions follow the state machine (model.ts) with a conditional UPDATE, so of two
 * dispatchers acting at once exactly one wins; each is audited (append-only) and announced on the bus
 * (events.ts). The escalation ladder rides on the persisted rule timers (escalation.ts).
 */
export class IncidentService {
  /** the incidents as stored (reads) */
  readonly store: IncidentStore;
  /** deadlines and ladders per class, alarm type and household; resolved when an incident opens */
  readonly policy: IncidentPolicyService;
  /** each incident's alarm path, hop by hop (alarm-path.ts), and its histograms */
  readonly path: AlarmPathRecorder;
  readonly #tx: Transactions;
  readonly #bus: EventBus;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #timers: RuleTimers;
  readonly #alarms: AlarmService;
  readonly #registry: Registry;
  readonly #followUp: ResponderFollowUp;
  readonly #cause: MessageCause;

  constructor(deps: {
    store: IncidentStore;
    policy: PolicyStore;
    tx: Transactions;
    bus: EventBus;
    clock: Clock;
    log: Logger;
    timers: RuleTimers;
    alarms: AlarmService;
    registry: Registry;
    /** the incidents' alarm paths (incident_path) */
    paths: PathStore;
    /** the device message the rules are reacting to (its PUBLISH is a path's `received`) */
    cause: MessageCause;
    /** where the alarm path's histograms go; none in tests that build the room alone */
    metrics?: Metrics | undefined;
  }) {
    this.store = deps.store;
    this.policy = new IncidentPolicyService({ store: deps.policy, clock: deps.clock, log: deps.log });
    this.path = new AlarmPathRecorder({ ...deps, store: deps.paths });
    this.#cause = deps.cause;
    this.#tx = deps.tx;
    this.#bus = deps.bus;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#timers = deps.timers;
    this.#alarms = deps.alarms;
    this.#registry = deps.registry;
    this.#followUp = new ResponderFollowUp({
      ...deps,
      store: this.store,
      assign: (id, responderId, actor, detail) => this.#assignTo(id, responderId, actor, detail),
    });
  }

  /** Listens to the alarms and registers the escalation handler; before the rule timers start. */
  start(): void {
    this.#timers.on<EscalationPayload>(ESCALATION_KIND, (t) => this.#escalate(t));
    this.#followUp.start();
    this.path.start();
    // Participants: an incident opens (or is joined) in the transaction that raised its alarm.
    this.#bus.within('alarmRaised', OWNER, (e) => this.#fromAlarm(e.alarm, 'raised'));
    this.#bus.within('alarmUpdated', OWNER, (e) => this.#fromAlarm(e.alarm, e.change));
  }

  stop(): void {
    this.#bus.removeOwner(OWNER);
    this.path.stop();
  }

  get(id: string): Promise<Incident | null> {
    return this.store.get(id);
  }

  list(filter: IncidentFilter = {}): Promise<Incident[]> {
    return this.store.list(filter);
  }

  /** The last escalation step of each of these incidents that has one (the queue's mark). */
  lastEscalations(incidentIds: readonly string[]): Promise<Map<string, { step: string; at: number }>> {
    return this.store.lastEscalations(incidentIds);
  }

  /** The escalation steps of an incident still to fire, soonest first (none once it moved past them). */
  async pendingSteps(id: string): Promise<string[]> {
    return (await pendingSteps(this.#timers, id)).map((t) => t.payload.step);
  }

  async detail(id: string): Promise<IncidentDetail | null> {
    const incident = await this.store.get(id);
    if (!incident) return null;
    const evidence: TimelineEntry[] = incident.evidence.map((e) => ({
      kind: 'evidence',
      at: e.at,
      evidence: e,
    }));
    const entries = await this.store.auditOf(id);
    const responders = await this.#registry.people.listResponders();
    const actors = await this.#actors(
      entries.map((a) => a.userId),
      responders,
    );
    const audit: TimelineEntry[] = entries.map(({ incidentId: _, ...a }) => {
      const actor = a.userId === null ? undefined : actors.get(a.userId);
      const responderId = a.detail.responderId;
      const responder =
        typeof responderId === 'string' ? responders.find((r) => r.id === responderId) : undefined;
      return {
        kind: 'audit',
        ...a,
        actorName: actor?.name ?? (a.userId === null ? null : a.username),
        actorRole: actor?.role ?? null,
        ...(responder ? { responderName: responder.name } : {}),
      };
    });
    const times = await this.path.get(id);
    const path: TimelineEntry[] = times ? pathEntries(times).map((e) => ({ kind: 'path', ...e })) : [];
    // Stable: on the same millisecond the evidence (what happened) comes before what was done about it,
    // and the path's points last, in their order.
    const timeline = [...evidence, ...audit, ...path].sort((a, b) => a.at - b.at);
    return { incident, alarmIds: await this.store.alarmIds(id), timeline };
  }

  /** The display name and role of each user who acted (a user since deleted is left out). */
  async #actors(
    ids: ReadonlyArray<number | null>,
    responders: readonly Responder[],
  ): Promise<Map<number, { name: string; role: string }>> {
    const out = new Map<number, { name: string; role: string }>();
    const wanted = new Set(ids.filter((i): i is number => i !== null));
    for (const userId of wanted) {
      const user = await this.#registry.people.getUser(userId);
      if (!user) continue;
      const responder = responders.find((r) => r.userId === userId);
      out.set(userId, { name: user.displayName || responder?.name || user.username, role: user.role });
    }
    return out;
  }

  /**
   * A dispatcher page put the incident on screen (the alarm path's `shown`): the first report counts,
   * a later one answers the first one's time.
   */
  async shown(id: string): Promise<{ incidentId: string; shownAt: number | null; counted: boolean }> {
    const incident = await this.store.get(id);
    if (!incident) throw new HubError('HUB_ERR_NOT_FOUND', `unknown incident ${id}`);
    return { incidentId: id, ...(await this.path.shown(id, incident.class)) };
  }

  acknowledge(id: string, actor: Actor): Promise<Incident> {
    return this.#apply(id, 'acknowledge', actor, (i) => i);
  }

  /**
   * Records the pending responder; the incident is dispatched when they accept. Not accepted within 2 min:
   * offered to the next suggested responder (follow-up.ts).
   */
  async assign(id: string, responderId: string, actor: Actor): Promise<Incident> {
    const next = await this.#assignTo(id, responderId, actor, { responderId });
    await this.#followUp.assigned(next);
    return next;
  }

  async #assignTo(
    id: string,
    responderId: string,
    actor: Actor,
    detail: Record<string, unknown>,
  ): Promise<Incident> {
    if (!(await this.#registry.people.getResponder(responderId))) {
      throw new HubError('HUB_ERR_NOT_FOUND', `unknown responder ${responderId}`);
    }
    const now = this.#clock.now();
    return this.#apply(
      id,
      'assign',
      actor,
      (i) => ({ ...i, pendingResponderId: responderId, assignedAt: now }),
      detail,
    );
  }

  /** Responders for the incident: grid worker, nearest station's staff, volunteers; busy ones left out. */
  async suggestions(id: string): Promise<Suggestion[]> {
    const incident = await this.store.get(id);
    if (!incident) throw new HubError('HUB_ERR_NOT_FOUND', `unknown incident ${id}`);
    return this.#followUp.suggestions(incident);
  }

  /** The responder's position: the ETA recomputed and kept; past the on-site deadline escalates early. */
  async position(id: string, pos: { lat: number; lon: number }, actor: Actor): Promise<EtaUpdate> {
    const incident = await this.store.get(id);
    if (!incident) throw new HubError('HUB_ERR_NOT_FOUND', `unknown incident ${id}`);
    return this.#followUp.position(incident, pos, actor);
  }

  async accept(id: string, actor: Actor): Promise<Incident> {
    const next = await this.#apply(id, 'accept', actor, (i) => {
      const responderId = this.#pending(i);
      return { ...i, responderId, pendingResponderId: null };
    });
    await this.#followUp.settled(id);
    return next;
  }

  async decline(id: string, actor: Actor): Promise<Incident> {
    const next = await this.#apply(id, 'decline', actor, (i) => {
      this.#pending(i);
      return { ...i, pendingResponderId: null, assignedAt: null };
    });
    await this.#followUp.settled(id);
    return next;
  }

  arrive(id: string, actor: Actor): Promise<Incident> {
    return this.#apply(id, 'arrive', actor, (i) => i);
  }

  resolve(id: string, outcome: Outcome, note: string, actor: Actor): Promise<Incident> {
    return this.#apply(id, 'resolve', actor, (i) => ({ ...i, outcome, note }), { outcome, note });
  }

  cancel(id: string, reason: string, actor: Actor): Promise<Incident> {
    return this.#apply(id, 'cancel', actor, (i) => ({ ...i, cancelReason: reason }), { reason });
  }

  comment(id: string, text: string, actor: Actor): Promise<Incident> {
    return this.#apply(id, 'comment', actor, (i) => i, { text });
  }

  #pending(i: Incident): string {
    if (!i.pendingResponderId) {
      throw new HubError('HUB_ERR_INCIDENT_STATE', 'no responder is assigned to this incident', {
        state: i.state,
      });
    }
    return i.pendingResponderId;
  }

  /**
   * One action: the state machine's next state, the stage it reaches (met or missed, time taken), a
   * conditional UPDATE on the state it was read in, an audit entry; then the passed escalation steps are
   * cancelled, the alarms of a closed incident closed, and the change announced.
   */
  async #apply(
    id: string,
    action: IncidentAction,
    actor: Actor,
    change: (i: Incident) => Incident,
    detail: Record<string, unknown> = {},
  ): Promise<Incident> {
    const now = this.#clock.now();
    // the alarm path's point this action reaches, if it moves the state (acknowledged, accepted, on site)
    let reached = null as { point: PathPoint; times: PathTimes | null } | null;
    const next = await this.#tx.transaction(async () => {
      const current = await this.store.get(id);
      if (!current) throw new HubError('HUB_ERR_NOT_FOUND', `unknown incident ${id}`);
      const state = nextState(current.state, action);
      const changed = change({ ...current, state, updatedAt: now });
      const stages = { ...changed.stages };
      const stage = state !== current.state ? STAGE_REACHED_BY[current.class][state] : undefined;
      const rec = stage ? stages[stage] : undefined;
      if (stage && rec && rec.doneAt === null) {
        stages[stage] = { ...rec, doneAt: now, tookMs: now - current.openedAt, met: now <= rec.dueAt };
      }
      const result: Incident = {
        ...changed,
        stages,
        closedAt: CLOSED_STATES.includes(state) ? now : changed.closedAt,
      };
      if (!(await this.store.update(result, current.state))) {
        // Another process moved it between our read and write: the loser gets the same 409 as a late click.
        throw new HubError('HUB_ERR_INCIDENT_STATE', `incident ${id} changed meanwhile`, { action });
      }
      await this.store.audit(id, now, action, actor, { from: current.state, to: state, detail });
      const point = state !== current.state ? POINT_REACHED_BY[action] : undefined;
      if (point) reached = { point, times: await this.path.reached(id, point, now) };
      await cancelPassedSteps(this.#timers, result);
      if (CLOSED_STATES.includes(result.state)) await this.#closeAlarms(result, actor);
      await this.#bus.emit('incidentUpdated', {
        incident: summary(result),
        change: action,
        by: actor.username,
        at: now,
      });
      return result;
    });
    if (reached) this.path.observe(next.class, reached.times, reached.point);
    if (CLOSED_STATES.includes(next.state)) await this.#followUp.settled(id);
    this.#log.info({ incident: id, action, state: next.state, by: actor.username }, 'incident updated');
    return next;
  }

  async #closeAlarms(incident: Incident, actor: Actor): Promise<void> {
    const reason =
      incident.state === 'resolved' ? `incident resolved: ${incident.outcome}` : 'incident cancelled';
    for (const alarmId of await this.store.alarmIds(incident.id)) {
      if ((await this.#alarms.store.get(alarmId))?.status === 'open')
        await this.#alarms.close(alarmId, actor.username, reason);
    }
  }

  /** An alarm raised or updated: opens an incident, joins the open one, or notes the change on it. */
  /**
   * The open incident of a noted alarm, updated: it reads as its alarm now does ("…; cancelled by resident
   * at 08:00:14"), and a resident's cancel brings its message, which marks the incident cancelled by the
   * resident until a person confirms. Null when no open incident holds the alarm.
   */
  async #noted(alarm: Alarm, change: AlarmChange, now: number): Promise<Incident | null> {
    const last = alarm.evidence[alarm.evidence.length - 1];
    const brought = change === 'cancelled_by_resident' && last ? [last] : [];
    for (let attempt = 0; attempt < 3; attempt++) {
      const found = await this.store.openFor(alarm.householdId, alarm.type);
      if (!found || !(await this.store.alarmIds(found.id)).includes(alarm.id)) return null;
      const next: Incident = {
        ...found,
        explanation: alarm.explanation,
        ...withEvidence([...found.evidence, ...brought]),
        updatedAt: now,
      };
      if (await this.store.update(next, found.state)) return next; // else: its state moved meanwhile
    }
    return null;
  }

  async #fromAlarm(alarm: Alarm, change: 'raised' | AlarmChange): Promise<void> {
    const now = this.#clock.now();
    if (change !== 'raised' && change !== 'retriggered') {
      const open = await this.#noted(alarm, change, now);
      if (!open) return;
      const note = alarm.notes[alarm.notes.length - 1];
      await this.store.audit(open.id, now, 'alarm_note', SYSTEM, {
        detail: { alarmId: alarm.id, change, note },
      });
      await this.#bus.emit('incidentUpdated', {
        incident: summary(open),
        change: `alarm_${change}`,
        by: null,
        at: now,
      });
      return;
    }
    // A raised alarm brings all its evidence; a further trigger folded into an alarm, its newest piece.
    const last = alarm.evidence[alarm.evidence.length - 1];
    const evidence = change === 'raised' ? alarm.evidence : last ? [last] : [];
    const count = change === 'raised' ? alarm.count : 1;
    const outcome = await this.#tx.transaction(async () => {
      for (let attempt = 0; attempt < 3; attempt++) {
        const open = await this.store.openFor(alarm.householdId, alarm.type);
        if (open) {
          const joined: Incident = {
            ...open,
            residentId: open.residentId ?? alarm.residentId,
            severity: maxSeverity(open.severity, alarm.severity),
            alarmCount: open.alarmCount + count,
            ...withEvidence([...open.evidence, ...evidence]),
            updatedAt: now,
          };
          // an SOS pressed again after the resident's cancel: the incident reads as the alarm again
          if (open.residentCancelledAt !== null && joined.residentCancelledAt === null)
            joined.explanation = alarm.explanation;
          if (!(await this.store.update(joined, open.state))) continue;
          await this.store.linkAlarm(open.id, alarm.id, now);
          await this.store.audit(open.id, now, 'alarm_joined', SYSTEM, {
            detail: { alarmId: alarm.id, count: joined.alarmCount },
          });
          return { incident: joined, opened: false };
        }
        const policy = await this.policy.resolve(alarm.class, alarm.type, alarm.householdId);
        const incident = openedIncident({
          id: `inc-${randomUUID()}`,
          householdId: alarm.householdId,
          residentId: alarm.residentId,
          alarmType: alarm.type,
          class: alarm.class,
          severity: alarm.severity,
          openedAt: now,
          alarmCount: count,
          ...withEvidence(evidence),
          explanation: alarm.explanation,
          policyDeadlines: policy.deadlines,
        });
        if (!(await this.store.insert(incident))) continue; // another process opened one: join it
        await this.store.linkAlarm(incident.id, alarm.id, now);
        await this.store.audit(incident.id, now, 'opened', SYSTEM, {
          to: 'open',
          detail: { alarmId: alarm.id },
        });
        // The alarm's rule fired when it was raised, or re-triggered with no incident open.
        await this.path.opened(incident.id, {
          received: this.#cause.receivedAt(),
          ruleFired: alarm.updatedAt,
          opened: now,
        });
        await armLadder(this.#timers, incident, policy.ladder);
        return { incident, opened: true };
      }
      throw new Error(`incident for alarm ${alarm.id}: lost the race three times`);
    });
    const s = summary(outcome.incident);
    if (outcome.opened) {
      this.#log.warn(
        { incident: s.id, alarm: alarm.id, type: alarm.type, class: alarm.class },
        'incident opened',
      );
      await this.#bus.emit('incidentOpened', { incident: s });
    } else {
      await this.#bus.emit('incidentUpdated', { incident: s, change: 'alarm_joined', by: null, at: now });
    }
  }

  /** An escalation step fell due: records a missed deadline, audits, and announces it with its audience. */
  async #escalate(t: FiredTimer<EscalationPayload>): Promise<void> {
    const incident = await this.store.get(t.payload.incidentId);
    const step = incident ? stepOf(incident.class, t.payload) : null;
    if (!incident || !step || !stepRelevant(incident.class, step.until, incident.state)) return; // moved past it
    // A 'deadline' step records its stage's deadline missed.
    const misses = step.afterMs === 'deadline' ? step.until : undefined;
    const now = this.#clock.now();
    await this.#tx.transaction(async () => {
      let result = incident;
      const rec = misses ? incident.stages[misses] : undefined;
      if (misses && rec && rec.met === null) {
        result = {
          ...incident,
          updatedAt: now,
          stages: { ...incident.stages, [misses]: { ...rec, met: false } },
        };
        if (!(await this.store.update(result, incident.state))) return null;
      }
      await this.store.audit(incident.id, now, 'escalated', SYSTEM, {
        detail: {
          step: step.step,
          audience: step.audience,
          late: t.late,
          dueAt: t.dueAt,
          missed: misses ?? null,
        },
      });
      this.#log.warn({ incident: incident.id, step: step.step, late: t.late }, 'incident escalated');
      await this.#bus.emit('incidentEscalated', {
        incident: summary(result),
        step: step.step,
        audience: step.audience,
        late: t.late,
        at: now,
      });
      return result;
    });
  }
}

/** The incident's evidence trimmed as the store keeps it, and what it says of a resident's cancel. */
function withEvidence(evidence: Evidence[]): Pick<Incident, 'evidence' | 'residentCancelledAt'> {
  const kept = trimEvidence(evidence);
  return { evidence: kept, residentCancelledAt: residentCancelledAt(kept) };
}
