import type { EventBus } from './bus.ts';
import type { Clock } from './clock.ts';
import type { HubConfig } from './config.ts';
import type { Db } from './db.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { Registry } from './registry/index.ts';
import type { UpgradeRouter } from './upgrades.ts';

/** What the composition root hands every room; a room's own deps extend it. */
export interface RoomDeps {
  config: HubConfig;
  registry: Registry;
  bus: EventBus;
  metrics: Metrics;
  clock: Clock;
  upgrades: UpgradeRouter;
  db: Db;
  /** the room's child logger */
  log: Logger;
}
