import type { Db } from '../db.ts';
import type { StoreHealth } from './types.ts';

/** The store health probe on the embedded SQLite store. */
export function createSqliteStoreHealth(db: Db): StoreHealth {
  return {
    async ping() {
      db.prepare('SELECT 1').get();
    },
  };
}
