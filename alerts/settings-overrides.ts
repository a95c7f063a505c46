import { Value } from '@sinclair/typebox/value';
import type { Clock } from '../kernel/clock.ts';
import { type Db, Statements } from '../kernel/db.ts';
import { HubError } from '../kernel/errors.ts';
import type { Logger } from '../kernel/logger.ts';
import type { AlertSettings } from './settings.ts';
import { AlertSettingsOverrides } from './settings-schema.ts';

/** Who an override applies to: every resident of a household, or one resident (who wins). */
export type SettingsScope = 'household' | 'resident';

export interface SettingsView {
  defaults: AlertSettings;
  household: AlertSettingsOverrides;
  /** present when asked for a resident */
  resident?: AlertSettingsOverrides;
  /** defaults, then the household's overrides, then the resident's */
  effective: AlertSettings;
}

/**
 * Per-household and per-resident overrides of the rule settings (issue 5), in `alert_settings`
 * (migration 6). Resolution: resident over household over the hub's defaults. Overrides are read through
 * an in-memory cache, invalidated on every write (the rules ask on every message).
 */
export class AlertSettingsOverridesStore {
  readonly #db: Db;
  readonly #sql: Statements;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #defaults: AlertSettings;
  /** `${scope}:${id}` → overrides ({} when none) */
  readonly #cache = new Map<string, AlertSettingsOverrides>();

  constructor(deps: { db: Db; clock: Clock; log: Logger; defaults: AlertSettings }) {
    this.#db = deps.db;
    this.#sql = new Statements(deps.db);
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#defaults = deps.defaults;
  }

  /** The settings the rules use for a household and, when known, its resident. */
  settingsFor(householdId: string, residentId?: string | null): AlertSettings {
    const household = this.get('household', householdId);
    const resident = residentId ? this.get('resident', residentId) : {};
    return { ...this.#defaults, ...household, ...resident };
  }

  get(scope: SettingsScope, id: string): AlertSettingsOverrides {
    const key = `${scope}:${id}`;
    const cached = this.#cache.get(key);
    if (cached) return cached;
    const row = this.#sql
      .get('SELECT overrides FROM alert_settings WHERE scope = ? AND id = ?')
      .get(scope, id) as { overrides: string } | undefined;
    const overrides = row ? this.#parse(row.overrides, key) : {};
    this.#cache.set(key, overrides);
    return overrides;
  }

  /**
   * Merges `partial` into the scope's overrides (a key given replaces that key); returns the result.
   * `householdId` is the household itself or the resident's (the heart-rate bounds are checked on the
   * effective settings).
   */
  put(scope: SettingsScope, id: string, householdId: string, partial: unknown): AlertSettingsOverrides {
    const problems = [...Value.Errors(AlertSettingsOverrides, partial)].map(
      (e) => `${e.path || '/'}: ${e.message}`,
    );
    if (problems.length > 0 || !Value.Check(AlertSettingsOverrides, partial)) {
      throw new HubError('HUB_ERR_VALIDATION', 'invalid alert settings', { problems });
    }
    const next: AlertSettingsOverrides = { ...this.get(scope, id), ...partial };
    const effective =
      scope === 'household'
        ? { ...this.#defaults, ...next }
        : { ...this.#defaults, ...this.get('household', householdId), ...next };
    if (effective.heartRateLow >= effective.heartRateHigh) {
      throw new HubError('HUB_ERR_VALIDATION', 'heartRateLow must be below heartRateHigh', {
        heartRateLow: effective.heartRateLow,
        heartRateHigh: effective.heartRateHigh,
      });
    }
    this.#sql
      .get(
        `INSERT INTO alert_settings (scope, id, overrides, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (scope, id) DO UPDATE SET overrides = excluded.overrides, updated_at = excluded.updated_at`,
      )
      .run(scope, id, JSON.stringify(next), this.#clock.now());
    this.#cache.set(`${scope}:${id}`, next);
    this.#log.info({ scope, id, overrides: next }, 'alert settings overridden');
    return next;
  }

  /** Drops the scope's overrides (back to the next level); false when it had none. */
  clear(scope: SettingsScope, id: string): boolean {
    const removed = this.#sql.get('DELETE FROM alert_settings WHERE scope = ? AND id = ?').run(scope, id);
    this.#cache.delete(`${scope}:${id}`);
    if (removed.changes > 0) this.#log.info({ scope, id }, 'alert settings overrides removed');
    return removed.changes > 0;
  }

  /** Defaults, the household's and (when given) the resident's overrides, and what the rules use. */
  view(householdId: string, residentId?: string): SettingsView {
    const household = this.get('household', householdId);
    const view: SettingsView = {
      defaults: this.#defaults,
      household,
      effective: this.settingsFor(householdId, residentId),
    };
    if (residentId) view.resident = this.get('resident', residentId);
    return view;
  }

  /** A stored row the schema no longer accepts (a key removed since) counts as no override, loudly. */
  #parse(text: string, key: string): AlertSettingsOverrides {
    const value: unknown = JSON.parse(text);
    if (Value.Check(AlertSettingsOverrides, value)) return value;
    this.#log.error({ key }, 'stored alert settings overrides are invalid: ignored');
    return {};
  }
}
