import { systemClock } from '../../kernel/clock.ts';
import { openDatabase } from '../../kernel/db.ts';
import { createRegistry, type Registry } from '../../kernel/registry/index.ts';
import { generateSecret } from '../../kernel/secrets.ts';
import { HUB_MIGRATIONS } from '../../migrations.ts';
import type { HouseholdSpec } from './spec.ts';

/**
 * The stored hash of one device's or gateway's own secret. Called with the registry of the store being
 * provisioned, so a hash keyed per hub (a key kept beside the store) can be made with that hub's key.
 */
export type SecretHashFor = (id: string, secret: string, registry: Registry) => string | Promise<string>;

export interface ProvisionDirectOptions {
  /**
   * Gives every device and gateway its OWN random secret, stored as the hash this returns for it
   * (`hubSecretHash` is the hub's own). Without it, all of them share one secret (see provisionDirect).
   */
  hashFor?: SecretHashFor;
  /** hashes computed at once when `hashFor` is asynchronous (scrypt runs on the libuv pool); default 4 */
  hashConcurrency?: number;
}

/** A device's own stored hash as the hub makes it: its keyed hash (kernel/device-secrets.ts). */
export const hubSecretHash: SecretHashFor = (id, secret, registry) =>
  registry.devices.secrets.hash(id, secret);

/**
 * Provisions households straight into the data directory of a hub that is not running yet, for load
 * runs and benchmarks with thousands of devices. Without `hashFor` every device and gateway shares ONE
 * secret (each stored under its own keyed hash); with it each has its own. Returns id → secret, like
 * the import.
 */
export async function provisionDirect(
  dataDir: string,
  specs: HouseholdSpec[],
  opts: ProvisionDirectOptions = {},
): Promise<Map<string, string>> {
  const secrets = new Map<string, string>();
  const hashes = new Map<string, string>();
  const db = openDatabase(dataDir, HUB_MIGRATIONS);
  try {
    const registry = createRegistry(db, systemClock);
    const credentialed = specs.flatMap((s) => [
      ...ownDevices(s).map((d) => d.id),
      ...(s.gateway ? [s.gateway.id] : []),
    ]);
    const { hashFor } = opts;
    if (hashFor) {
      for (const id of credentialed) secrets.set(id, generateSecret());
      let next = 0;
      const lane = async () => {
        for (let i = next++; i < credentialed.length; i = next++) {
          const id = credentialed[i] as string;
          hashes.set(id, await hashFor(id, secrets.get(id) as string, registry));
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, opts.hashConcurrency ?? 4) }, lane));
    } else {
      // One shared secret, under the hub's keyed hash (bound to the id): one hash each, ~2 µs.
      const secret = generateSecret();
      for (const id of credentialed) {
        secrets.set(id, secret);
        hashes.set(id, registry.devices.secrets.hash(id, secret));
      }
    }
    const hashOf = (id: string) => hashes.get(id) as string;
    await registry.transaction(async () => {
      for (const s of specs) {
        await registry.households.upsert({
          id: s.id,
          address: s.address,
          grid: s.grid,
          location: s.location,
        });
        await registry.households.upsertResident({ ...s.resident, householdId: s.id });
        for (const d of ownDevices(s))
          await registry.devices.upsert({ ...d, householdId: s.id }, hashOf(d.id));
        if (s.gateway) {
          await registry.devices.upsertGateway({ id: s.gateway.id, householdId: s.id }, hashOf(s.gateway.id));
          for (const z of s.gateway.devices)
            await registry.devices.upsert({ ...z, householdId: s.id, gatewayId: s.gateway.id });
        }
      }
    });
  } finally {
    db.close();
  }
  return secrets;
}

/** The devices of a household that connect themselves (not behind its gateway). */
function ownDevices(s: HouseholdSpec) {
  return [
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
}
