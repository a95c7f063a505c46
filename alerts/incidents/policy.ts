import { Value } from '@sinclair/typebox/value';
import type { Clock } from '../../kernel/clock.ts';
import { HubError } from '../../kernel/errors.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { AlarmClass, AlarmType } from '../alarm.ts';
import type { PolicyStore } from '../store/types.ts';
import { LADDERS } from './escalation.ts';
import type { IncidentStage } from './events.ts';
import { DEFAULT_DEADLINES_MS } from './model.ts';
import { IncidentPolicy, type PolicyScope, type ResolvedPolicy } from './policy-schema.ts';

export const ALARM_CLASSES: readonly AlarmClass[] = ['emergency', 'non_emergency', 'wellness'];

export interface PolicyView {
  /** the hub's built-in policy per class */
  defaults: Record<AlarmClass, ResolvedPolicy>;
  /** this scope's override ({} when none) */
  override: IncidentPolicy;
  /** what an incident of the asked class (and alarm type) would open with here */
  effective?: ResolvedPolicy;
}

/** The built-in policy of a class: its deadlines and ladder. */
export function builtIn(cls: AlarmClass): ResolvedPolicy {
  return { deadlines: { ...DEFAULT_DEADLINES_MS[cls] }, ladder: [...LADDERS[cls]] };
}

/**
 * Incident deadlines and escalation ladders, configurable per class, alarm type and household (issue 6),
 * kept in the PolicyStore (store/types.ts). Resolution, most specific winning: the built-in defaults of the
 * class → the class override → the alarm type's → the household's. Deadlines merge per stage (only the
 * stages the class has: an emergency has no "resolved" deadline, a non-emergency no "acknowledged"); a
 * ladder replaces the one below it whole. Resolved when an incident opens and stored with it (its stages'
 * due times, its steps' timers): a later change does not move running incidents.
 */
export class IncidentPolicyService {
  readonly #store: PolicyStore;
  readonly #clock: Clock;
  readonly #log: Logger;

  constructor(deps: { store: PolicyStore; clock: Clock; log: Logger }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#log = deps.log;
  }

  async get(scope: PolicyScope, key: string): Promise<IncidentPolicy> {
    const value = await this.#store.get(scope, key);
    if (value === null) return {};
    if (Value.Check(IncidentPolicy, value)) return value;
    this.#log.error({ scope, key }, 'stored incident policy is invalid: ignored');
    return {};
  }

  /** Replaces the scope's override with `policy` (validated: an unknown key or a value out of range is 400). */
  async put(scope: PolicyScope, key: string, policy: unknown): Promise<IncidentPolicy> {
    const problems = [...Value.Errors(IncidentPolicy, policy)].map((e) => `${e.path || '/'}: ${e.message}`);
    if (problems.length > 0 || !Value.Check(IncidentPolicy, policy)) {
      throw new HubError('HUB_ERR_VALIDATION', 'invalid incident policy', { problems });
    }
    const names = (policy.ladder ?? []).map((s) => s.step);
    if (new Set(names).size !== names.length) {
      throw new HubError('HUB_ERR_VALIDATION', 'ladder step names must be unique', { steps: names });
    }
    await this.#store.put(scope, key, policy, this.#clock.now());
    this.#log.info({ scope, key, policy }, 'incident policy overridden');
    return policy;
  }

  /** Drops the scope's override; false when it had none. */
  async clear(scope: PolicyScope, key: string): Promise<boolean> {
    const removed = await this.#store.delete(scope, key);
    if (removed) this.#log.info({ scope, key }, 'incident policy override removed');
    return removed;
  }

  /** The policy an incident of this class, alarm type and household opens with. */
  async resolve(
    cls: AlarmClass,
    alarmType: AlarmType | null,
    householdId: string | null,
  ): Promise<ResolvedPolicy> {
    const levels = [
      await this.get('class', cls),
      alarmType ? await this.get('alarm_type', alarmType) : {},
      householdId ? await this.get('household', householdId) : {},
    ];
    const base = builtIn(cls);
    const deadlines: Partial<Record<IncidentStage, number>> = { ...base.deadlines };
    let ladder = base.ladder;
    for (const level of levels) {
      for (const [stage, ms] of Object.entries(level.deadlines ?? {}) as Array<[IncidentStage, number]>) {
        if (stage in base.deadlines) deadlines[stage] = ms;
      }
      if (level.ladder) ladder = level.ladder;
    }
    return { deadlines, ladder };
  }

  async view(
    scope: PolicyScope,
    key: string,
    ask: { cls?: AlarmClass | undefined; alarmType?: AlarmType | undefined },
  ): Promise<PolicyView> {
    const defaults = Object.fromEntries(ALARM_CLASSES.map((c) => [c, builtIn(c)])) as Record<
      AlarmClass,
      ResolvedPolicy
    >;
    const view: PolicyView = { defaults, override: await this.get(scope, key) };
    const cls = scope === 'class' ? (key as AlarmClass) : ask.cls;
    if (cls) {
      const alarmType = scope === 'alarm_type' ? (key as AlarmType) : (ask.alarmType ?? null);
      view.effective = await this.resolve(cls, alarmType, scope === 'household' ? key : null);
    }
    return view;
  }
}
