import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import { createSqliteAlarmStore } from './sqlite-alarms.ts';
import { createSqliteAwayStore } from './sqlite-away.ts';
import { createSqliteBaselineStore } from './sqlite-baselines.ts';
import { createSqliteDeliveryStore } from './sqlite-deliveries.ts';
import { createSqliteIncidentStore } from './sqlite-incidents.ts';
import { createSqlitePathStore } from './sqlite-path.ts';
import { createSqlitePolicyStore } from './sqlite-policy.ts';
import { createSqliteRuleStateStore } from './sqlite-rule-state.ts';
import { createSqliteSettingsOverridesStore } from './sqlite-settings.ts';
import { createSqliteSlaStore } from './sqlite-sla.ts';
import { createSqliteTimerStore } from './sqlite-timers.ts';
import type { AlertsStores, Transactions } from './types.ts';

/**
 * Transactions of the embedded store: one connection per database handle (kernel/sqlite-connection.ts),
 * held by the body, so that work from elsewhere waits for its commit; a savepoint inside an open one.
 */
export function sqliteTransactions(db: Db): Transactions {
  const conn = connectionOf(db);
  return { transaction: (fn) => conn.transaction(fn) };
}

/** Every store of the alerts room on the embedded store (one connection: connectionOf(db)). */
export function createSqliteAlertsStores(db: Db): AlertsStores {
  return {
    ...sqliteTransactions(db),
    alarms: createSqliteAlarmStore(db),
    incidents: createSqliteIncidentStore(db),
    path: createSqlitePathStore(db),
    timers: createSqliteTimerStore(db),
    ruleState: createSqliteRuleStateStore(db),
    baselines: createSqliteBaselineStore(db),
    settings: createSqliteSettingsOverridesStore(db),
    away: createSqliteAwayStore(db),
    policy: createSqlitePolicyStore(db),
    sla: createSqliteSlaStore(db),
    deliveries: createSqliteDeliveryStore(db),
  };
}
