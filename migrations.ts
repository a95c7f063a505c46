/**
 * Every room's schema migrations, for `openDatabase` (kernel/db.ts): the hub, the CLI, the simulators
 * and the tests pass this. The rooms' lists merge by their global versions (kernel/migrate.ts); within a
 * version split across rooms, the parts run in this order (the kernel's tables first: the others refer to
 * them).
 */
import { ALERTS_MIGRATIONS } from './alerts/migrations.ts';
import { BROKER_MIGRATIONS } from './broker/migrations.ts';
import { CONSOLE_MIGRATIONS } from './console/migrations.ts';
import { INGEST_MIGRATIONS } from './ingest/migrations.ts';
import type { RoomMigrations } from './kernel/migrate.ts';
import { KERNEL_MIGRATIONS } from './kernel/migrations.ts';

export const HUB_MIGRATIONS: readonly RoomMigrations[] = [
  KERNEL_MIGRATIONS,
  BROKER_MIGRATIONS,
  INGEST_MIGRATIONS,
  ALERTS_MIGRATIONS,
  CONSOLE_MIGRATIONS,
];
