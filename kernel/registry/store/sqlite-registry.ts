import type { Clock } from '../../clock.ts';
import type { Db } from '../../db.ts';
import { connectionOf } from '../../sqlite-connection.ts';
import { SqliteDeviceStore } from './sqlite-devices.ts';
import { SqliteHouseholdStore } from './sqlite-households.ts';
import { SqlitePeopleStore } from './sqlite-people.ts';
import type { Registry } from './types.ts';

/** The registry on the embedded store: its transactions are the shared connection's (sqlite-connection.ts). */
export function createSqliteRegistry(db: Db, clock: Clock): Registry {
  const conn = connectionOf(db);
  const devices = new SqliteDeviceStore(db, clock);
  return {
    households: new SqliteHouseholdStore(db, clock, () => devices.forgetCached()),
    devices,
    people: new SqlitePeopleStore(db, clock),
    mqttIdTaken: async (id) => (await devices.get(id)) !== null || (await devices.getGateway(id)) !== null,
    async transaction(fn) {
      try {
        return await conn.transaction(fn);
      } finally {
        // a rolled-back import may have written a device another read had cached before
        devices.forgetCached();
      }
    },
  };
}
