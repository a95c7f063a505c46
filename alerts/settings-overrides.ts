import { Value } from '@sinclair/typebox/value';
import type { Clock } from '../kernel/clock.ts';
import { HubError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { AlertSettings } from './settings.ts';
import { AlertSettingsOverrides } from './settings-schema.ts';
import type { SettingsOverridesStore, SettingsScope } from './store/types.ts';

export type { SettingsScope };

export interface SettingsView {
  defaults: AlertSettings;
  household: AlertSettingsOverrides;
  /** present when asked for a resident */
  resident?: AlertSettingsOverrides;
  /** defaults, then the household's overrides, then the resident's */
  effective: AlertSettings;
}

/**
 * Per-household and per-resident overrides of the rule settings (issue 5), kept in the
 * SettingsOverridesStore (store/types.ts). Resolution: resident over household over the hub's defaults.
 * Overrides are read through an in-memory cache, invalidated on every write (the rules ask on every
 * message).
 */
export class SettingsOverridesService {
  readonly #store: SettingsOverridesStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #defaults: AlertSettings;
  /** `${scope}:${id}` → overrides ({} when none) */
  readonly #cache = new Map<string, AlertSettingsOverrides>();

  constructor(deps: { store: SettingsOverridesStore; clock: Clock; log: Logger; defaults: AlertSettings }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#defaults = deps.defaults;
  }

  /** The settings the rules use for a household and, when known, its resident. */
  async settingsFor(householdId: string, residentId?: string | null): Promise<AlertSettings> {
    const household = await this.get('household', householdId);
    const resident = residentId ? await this.get('resident', residentId) : {};
    return { ...this.#defaults, ...household, ...resident };
  }

  async get(scope: SettingsScope, id: string): Promise<AlertSettingsOverrides> {
    const key = `${scope}:${id}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const stored = await this.#store.get(scope, id);
    const overrides = stored === null ? {} : this.#check(stored, key);
    // A write meanwhile (put/clear set the cache) wins over this older read.
    if (!this.#cache.has(key)) this.#cache.set(key, overrides);
    return this.#cache.get(key) ?? overrides;
  }

  /**
   * Merges `partial` into the scope's overrides (a key given replaces that key); returns the result.
   * `householdId` is the household itself or the resident's (the heart-rate bounds are checked on the
   * effective settings).
   */
  async put(
    scope: SettingsScope,
    id: string,
    householdId: string,
    partial: unknown,
  ): Promise<AlertSettingsOverrides> {
    const problems = [...Value.Errors(AlertSettingsOverrides, partial)].map(
      (e) => `${e.path || '/'}: ${e.message}`,
    );
    if (problems.length > 0 || !Value.Check(AlertSettingsOverrides, partial)) {
      throw new HubError('HUB_ERR_VALIDATION', 'invalid alert settings', { problems });
    }
    const next: AlertSettingsOverrides = { ...(await this.get(scope, id)), ...partial };
    const effective =
      scope === 'household'
        ? { ...this.#defaults, ...next }
        : { ...this.#defaults, ...(await this.get('household', householdId)), ...next };
    if (effective.heartRateLow >= effective.heartRateHigh) {
      throw new HubError('HUB_ERR_VALIDATION', 'heartRateLow must be below heartRateHigh', {
        heartRateLow: effective.heartRateLow,
        heartRateHigh: effective.heartRateHigh,
      });
    }
    await this.#store.put(scope, id, next, this.#clock.now());
    this.#cache.set(`${scope}:${id}`, next);
    this.#log.info({ scope, id, overrides: next }, 'alert settings overridden');
    return next;
  }

  /** Drops the scope's overrides (back to the next level); false when it had none. */
  async clear(scope: SettingsScope, id: string): Promise<boolean> {
    const removed = await this.#store.delete(scope, id);
    this.#cache.set(`${scope}:${id}`, {});
    if (removed) this.#log.info({ scope, id }, 'alert settings overrides removed');
    return removed;
  }

  /** Defaults, the household's and (when given) the resident's overrides, and what the rules use. */
  async view(householdId: string, residentId?: string): Promise<SettingsView> {
    const household = await this.get('household', householdId);
    const view: SettingsView = {
      defaults: this.#defaults,
      household,
      effective: await this.settingsFor(householdId, residentId),
    };
    if (residentId) view.resident = await this.get('resident', residentId);
    return view;
  }

  /** A stored value the schema no longer accepts (a key removed since) counts as no override, loudly. */
  #check(value: unknown, key: string): AlertSettingsOverrides {
    if (Value.Check(AlertSettingsOverrides, value)) return value;
    this.#log.error({ key }, 'stored alert settings overrides are invalid: ignored');
    return {};
  }
}
