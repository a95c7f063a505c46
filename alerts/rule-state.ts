import type { Clock } from '../kernel/clock.ts';
import { type Db, Statements } from '../kernel/db.ts';

/**
 * Small per-rule state that must survive a restart (a vital-sign streak, which devices are low on
 * battery, which are silent): JSON values by key in `alert_state`.
 */
export class RuleState {
  readonly #sql: Statements;
  readonly #clock: Clock;
  constructor(db: Db, clock: Clock) {
    this.#sql = new Statements(db);
    this.#clock = clock;
  }

  get<T>(key: string): T | null {
    const row = this.#sql.get('SELECT value FROM alert_state WHERE key = ?').get(key);
    return row ? (JSON.parse(String(row.value)) as T) : null;
  }

  set(key: string, value: unknown): void {
    this.#sql
      .get(
        `INSERT INTO alert_state (key, value, updated_at) VALUES (?, ?, ?)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(key, JSON.stringify(value), this.#clock.now());
  }

  delete(key: string): void {
    this.#sql.get('DELETE FROM alert_state WHERE key = ?').run(key);
  }
}
