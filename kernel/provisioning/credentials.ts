/**
 * Which imported entries need a new secret or password hash, and computing those hashes. Device and
 * gateway secrets take the fast keyed hash (~2 µs, see device-secrets.ts); users' passwords take scrypt
 * (tens of ms each, asynchronous), so hashing runs before the one write transaction and the
 * plan is taken again inside the transaction to detect a registry that changed.
 */
import type { DeviceSecretHasher } from '../device-secrets.ts';
import type { Registry } from '../registry/index.ts';
import { generateSecret, hashSecret, verifySecret } from '../secrets.ts';
import type { ImportDocument } from './model.ts';

export interface CredentialPlan {
  /** devices that connect themselves and have no secret yet (new, or until now behind a gateway) */
  devices: string[];
  /** gateways new to the hub */
  gateways: string[];
  /** every user of the file; `storedHash` null for a new user */
  users: Array<{ username: string; password: string | undefined; storedHash: string | null }>;
}

export interface Credentials {
  deviceHashes: ReadonlyMap<string, string>;
  gatewayHashes: ReadonlyMap<string, string>;
  /** a new password hash per user name; a user not in it keeps the stored one */
  userHashes: ReadonlyMap<string, string>;
  /** new secrets and generated passwords: shown once, never logged */
  secrets: Array<{ id: string; secret: string }>;
}

export async function planCredentials(doc: ImportDocument, registry: Registry): Promise<CredentialPlan> {
  const plan: CredentialPlan = { devices: [], gateways: [], users: [] };
  for (const h of doc.households) {
    for (const d of h.devices)
      if ((await registry.devices.identity(d.id))?.kind !== 'device') plan.devices.push(d.id);
  }
  for (const h of doc.households) {
    for (const g of h.gateways)
      if ((await registry.devices.getGateway(g.id)) === null) plan.gateways.push(g.id);
  }
  for (const u of doc.users) {
    plan.users.push({
      username: u.username,
      password: u.password,
      storedHash: (await registry.people.userByName(u.username))?.passwordHash ?? null,
    });
  }
  return plan;
}

/** Equal for two plans that lead to the same writes (passwords are left out: they come from the file). */
export function planSignature(plan: CredentialPlan): string {
  return JSON.stringify([plan.devices, plan.gateways, plan.users.map((u) => [u.username, u.storedHash])]);
}

// scrypt runs on libuv's thread pool (4 threads by default): more at once only queues, holding memory.
const HASH_CONCURRENCY = 4;

async function forEachBounded<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function prepareCredentials(
  plan: CredentialPlan,
  deviceSecrets: DeviceSecretHasher,
): Promise<Credentials> {
  const deviceHashes = new Map<string, string>();
  const gatewayHashes = new Map<string, string>();
  const userHashes = new Map<string, string>();
  const secrets: Array<{ id: string; secret: string }> = [];

  type Job = () => Promise<void>;
  const jobs: Job[] = [];
  const newSecret = (id: string, into: Map<string, string>) => {
    const secret = generateSecret();
    secrets.push({ id, secret });
    into.set(id, deviceSecrets.hash(id, secret));
  };
  for (const id of plan.gateways) newSecret(id, gatewayHashes);
  for (const id of plan.devices) newSecret(id, deviceHashes);
  for (const u of plan.users) {
    const { username, password, storedHash } = u;
    if (password === undefined) {
      // An existing user without a password in the file keeps theirs; a new one gets a generated one.
      if (storedHash === null) {
        const generated = generateSecret();
        secrets.push({ id: username, secret: generated });
        jobs.push(async () => {
          userHashes.set(username, await hashSecret(generated));
        });
      }
      continue;
    }
    jobs.push(async () => {
      // A password that already verifies is left alone: no rewrite, no lost sessions.
      if (storedHash !== null && (await verifySecret(password, storedHash))) return;
      userHashes.set(username, await hashSecret(password));
    });
  }
  await forEachBounded(jobs, HASH_CONCURRENCY, (job) => job());
  return { deviceHashes, gatewayHashes, userHashes, secrets };
}
