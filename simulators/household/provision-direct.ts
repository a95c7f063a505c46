import { systemClock } from '../../kernel/clock.ts';
import { openDatabase, transaction } from '../../kernel/db.ts';
import { createRegistry } from '../../kernel/registry/index.ts';
import { generateSecret, hashSecret } from '../../kernel/secrets.ts';
import type { HouseholdSpec } from './spec.ts';

/**
 * Provisions households straight into the data directory of a hub that is not running yet, for load
 * runs and benchmarks with thousands of devices: every device and gateway gets the SAME secret, hashed
 * once. Per-device secrets (POST /api/import) cost one scrypt hash each (N=2^14, tens of ms): 20,000
 * devices would take minutes to provision, and the hub caches a verified secret per stored hash, so a
 * shared hash is also the cheapest case for authentication. Returns id → secret, like the import.
 */
export async function provisionDirect(dataDir: string, specs: HouseholdSpec[]): Promise<Map<string, string>> {
  const secret = generateSecret();
  const hash = await hashSecret(secret);
  const secrets = new Map<string, string>();
  const db = openDatabase(dataDir);
  try {
    const registry = createRegistry(db, systemClock);
    transaction(db, () => {
      for (const s of specs) {
        registry.households.upsert({ id: s.id, address: s.address, grid: s.grid, location: s.location });
        registry.households.upsertResident({ ...s.resident, householdId: s.id });
        const own = [
          { id: s.button, type: 'button' as const, room: null },
          { id: s.wristband, type: 'wristband' as const, room: null, residentId: s.resident.id },
          ...Object.entries(s.motion).map(([room, id]) => ({
            id,
            type: 'motion' as const,
            room: room as 'bedroom',
          })),
          { id: s.leak, type: 'leak' as const, room: 'kitchen' as const },
          { id: s.meter, type: 'water_meter' as const, room: null },
        ];
        for (const d of own) {
          registry.devices.upsert({ ...d, householdId: s.id }, hash);
          secrets.set(d.id, secret);
        }
        if (s.gateway) {
          registry.devices.upsertGateway({ id: s.gateway.id, householdId: s.id }, hash);
          secrets.set(s.gateway.id, secret);
          for (const z of s.gateway.devices)
            registry.devices.upsert({ ...z, householdId: s.id, gatewayId: s.gateway.id });
        }
      }
    });
  } finally {
    db.close();
  }
  return secrets;
}
