/**
 * Writes a validated document to the registry. Runs inside one transaction (see index.ts); every write
 * is an upsert that reports 'unchanged' when the registry already holds the same, so importing the
 * same file twice changes nothing the second time.
 */
import { DEVICE_TYPES, ROOMS } from '../contract.ts';
import type { Registry } from '../registry/index.ts';
import { RESPONDER_KINDS, ROLES, SHARING_LEVELS } from '../registry/types.ts';
import { oneOf } from './checks.ts';
import type { Credentials } from './credentials.ts';
import type { DeviceEntry, HouseholdEntry, ImportDocument, UserEntry } from './model.ts';

export type Change = 'created' | 'updated' | 'unchanged';
export const COUNTED = [
  'households',
  'residents',
  'contacts',
  'gateways',
  'devices',
  'responders',
  'users',
] as const;
export type Counted = (typeof COUNTED)[number];
export type Counts = Record<Counted, { created: number; updated: number; unchanged: number }>;

export function emptyCounts(): Counts {
  const counts = {} as Counts;
  for (const k of COUNTED) counts[k] = { created: 0, updated: 0, unchanged: 0 };
  return counts;
}

/** What the import's caller does in its transaction beyond the registry (the console: end sessions). */
export interface ApplyHooks {
  /** An existing user's password was changed by the file: their console sessions must end. */
  passwordChanged?(userId: number): Promise<void>;
}

export async function applyDocument(
  doc: ImportDocument,
  registry: Registry,
  credentials: Credentials,
  hooks: ApplyHooks = {},
): Promise<Counts> {
  const counts = emptyCounts();
  const count = counter(counts);
  for (const h of doc.households) await applyHousehold(h, registry, credentials, count);
  await applyPeople(doc, registry, credentials, count, hooks);
  return counts;
}

export type Count = (what: Counted, change: Change) => void;

/** Counts each change into `counts`. */
export function counter(counts: Counts): Count {
  return (what, change) => {
    counts[what][change]++;
  };
}

/** The document's responders and users (after every household: a user's households must exist). */
export async function applyPeople(
  doc: Pick<ImportDocument, 'responders' | 'users'>,
  registry: Registry,
  credentials: Pick<Credentials, 'userHashes'>,
  count: Count,
  hooks: ApplyHooks = {},
): Promise<void> {
  for (const r of doc.responders) {
    const existing = await registry.people.getResponder(r.id);
    count(
      'responders',
      await registry.people.upsertResponder({
        id: r.id,
        name: r.name,
        kind: oneOf(RESPONDER_KINDS, r.kind),
        phone: r.phone,
        grids: r.grids,
        stationId: r.station ?? existing?.stationId ?? null,
        // The link to a console login is made in the console, never by a file.
        userId: existing?.userId ?? null,
      }),
    );
  }
  for (const u of doc.users)
    count('users', await applyUser(u, registry, credentials.userHashes.get(u.username), hooks));
}

/** One household with its residents, contacts, gateways and devices. */
export async function applyHousehold(
  h: HouseholdEntry,
  registry: Registry,
  credentials: Pick<Credentials, 'deviceHashes' | 'gatewayHashes'>,
  count: Count,
): Promise<void> {
  const householdId = h.id;
  count(
    'households',
    await registry.households.upsert({
      id: householdId,
      address: h.address,
      grid: h.grid,
      location: h.location,
      sharing: h.sharing === undefined ? undefined : oneOf(SHARING_LEVELS, h.sharing),
      notes: h.notes,
    }),
  );
  for (const r of h.residents) {
    count(
      'residents',
      await registry.households.upsertResident({
        id: r.id,
        householdId,
        name: r.name,
        birthYear: r.birthYear,
        careNotes: r.careNotes,
        language: r.language,
      }),
    );
  }
  for (const c of h.contacts) {
    count(
      'contacts',
      await registry.households.upsertContactByPhone({
        householdId,
        name: c.name,
        phone: c.phone,
        relation: c.relation,
        priority: c.priority,
      }),
    );
  }
  // Gateways before their devices (a device row references its gateway).
  for (const g of h.gateways) {
    count(
      'gateways',
      await registry.devices.upsertGateway({ id: g.id, householdId }, credentials.gatewayHashes.get(g.id)),
    );
  }
  const device = (d: DeviceEntry) => ({
    id: d.id,
    householdId,
    type: oneOf(DEVICE_TYPES, d.type),
    room: d.room === undefined ? undefined : oneOf(ROOMS, d.room),
    residentId: d.resident,
    // absent: the device keeps its list (importing the same file twice changes nothing)
    sosActions: d.sosActions,
  });
  for (const d of h.devices) {
    const input = { ...device(d), gatewayId: null, friendlyName: null };
    count('devices', await registry.devices.upsert(input, credentials.deviceHashes.get(d.id)));
  }
  for (const g of h.gateways) {
    for (const d of g.devices) {
      // A Zigbee device never connects itself: no secret, addressed by (gateway, friendly name).
      const input = { ...device(d), gatewayId: g.id, friendlyName: d.friendlyName ?? null };
      count('devices', await registry.devices.upsert(input));
    }
  }
}

async function applyUser(
  u: UserEntry,
  registry: Registry,
  passwordHash: string | undefined,
  hooks: ApplyHooks,
): Promise<Change> {
  const role = oneOf(ROLES, u.role);
  const existing = await registry.people.userByName(u.username);
  if (!existing) {
    if (passwordHash === undefined)
      throw new Error(`provisioning: no password hash for new user ${u.username}`);
    await registry.people.createUser({
      username: u.username,
      role,
      passwordHash,
      displayName: u.displayName,
      households: u.households,
    });
    return 'created';
  }
  const sameHouseholds =
    u.households === undefined ||
    JSON.stringify([...new Set(u.households)].sort()) === JSON.stringify([...existing.households].sort());
  const same =
    existing.role === role &&
    (u.displayName === undefined || u.displayName === existing.displayName) &&
    sameHouseholds &&
    passwordHash === undefined;
  if (same) return 'unchanged';
  await registry.people.updateUser(existing.id, {
    role,
    displayName: u.displayName,
    households: u.households,
    passwordHash,
  });
  if (passwordHash !== undefined) await hooks.passwordChanged?.(existing.id);
  return 'updated';
}
