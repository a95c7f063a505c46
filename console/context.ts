import type { Clock } from '../kernel/clock.ts';
import type { HubConfig } from '../kernel/config.ts';
import type { Db } from '../kernel/db.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { Registry } from '../kernel/registry/index.ts';
import type { Guard } from './auth/guard.ts';

/** What the route plugins get: the console's deps they need, plus the auth guard. */
export interface RouteContext {
  config: HubConfig;
  registry: Registry;
  clock: Clock;
  metrics: Metrics;
  db: Db;
  guard: Guard;
  health: () => { mqtt: boolean; clients: number };
}
