import type { Clock } from '../clock.ts';
import type { Db } from '../db.ts';
import { createSqliteRegistry } from './store/sqlite-registry.ts';
import type { Registry } from './store/types.ts';

export type {
  Change,
  ContactInput,
  DeviceInput,
  DeviceStore,
  HouseholdInput,
  HouseholdStore,
  PeopleStore,
  Registry,
  ResidentInput,
  Station,
} from './store/types.ts';

/** The registry of households, residents, contacts, devices, gateways, users and responders (store/types.ts). */
export function createRegistry(db: Db, clock: Clock): Registry {
  return createSqliteRegistry(db, clock);
}
