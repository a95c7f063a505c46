import type { Clock } from '../clock.ts';
import { type Db, transaction } from '../db.ts';
import { DeviceStore } from './devices.ts';
import { HouseholdStore } from './households.ts';
import { PeopleStore } from './people.ts';

/** The registry of households, residents, contacts, devices, gateways, users and responders. */
export interface Registry {
  households: HouseholdStore;
  devices: DeviceStore;
  people: PeopleStore;
  /** True when `id` is taken by a device or a gateway (they share the MQTT client id space). */
  mqttIdTaken(id: string): boolean;
  /** Runs `fn` in one database transaction: all of its writes or none (a bulk import). */
  transaction<T>(fn: () => T): T;
}

export function createRegistry(db: Db, clock: Clock): Registry {
  const devices = new DeviceStore(db, clock);
  return {
    households: new HouseholdStore(db, clock, () => devices.forgetCached()),
    devices,
    people: new PeopleStore(db, clock),
    mqttIdTaken: (id) => devices.get(id) !== null || devices.getGateway(id) !== null,
    transaction: (fn) => {
      try {
        return transaction(db, fn);
      } finally {
        // a rolled-back import may have cached a device it had written
        devices.forgetCached();
      }
    },
  };
}
