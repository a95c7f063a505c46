/**
 * The registry's store interfaces (design.md, "Rooms own their data"): households with their residents
 * and contacts; devices, gateways and their secrets; users with their household links, responders and
 * stations. Every method returns a Promise, although SQLite answers at once: a second adapter
 * (PostgreSQL) may not. The SQLite adapter is `sqlite-*.ts` beside this file; all registry SQL is there.
 *
 * The `…Sync` twins are transitional: the alerts and ingest rooms (and the broker's synchronous hooks)
 * call them until they await the async method. They read the connection as it is, inside whatever
 * transaction holds it, and will be removed.
 */
import type { DeviceType, Room } from '../../contract.ts';
import type { DeviceSecretHasher } from '../../device-secrets.ts';
import type {
  Contact,
  Device,
  Gateway,
  Household,
  MqttIdentity,
  Resident,
  Responder,
  Role,
  SharingLevel,
  User,
} from '../types.ts';

/** What an upsert did. */
export type Change = 'created' | 'updated' | 'unchanged';

export type HouseholdInput = Omit<Household, 'notes' | 'sharing' | 'location'> & {
  notes?: string;
  sharing?: SharingLevel;
  location?: { lat: number; lon: number } | null;
};
export type ResidentInput = Omit<Resident, 'birthYear' | 'careNotes' | 'language'> & {
  birthYear?: number | null;
  careNotes?: string[];
  language?: string;
};
export type ContactInput = Omit<Contact, 'id' | 'relation' | 'priority'> & {
  relation?: string;
  priority?: number;
};

export interface DeviceInput {
  id: string;
  householdId: string;
  type: DeviceType;
  room?: Room | null;
  residentId?: string | null;
  gatewayId?: string | null;
  friendlyName?: string | null;
  sosActions?: readonly string[] | null;
  enabled?: boolean;
}

export interface GatewayInput {
  id: string;
  householdId: string;
  enabled?: boolean;
}

/** A verified legacy (scrypt) secret hash and its fast replacement (broker/verified-secrets.ts). */
export interface SecretHashUpgrade {
  id: string;
  kind: 'device' | 'gateway';
  from: string;
  to: string;
}

export interface Station {
  id: string;
  name: string;
  lat: number | null;
  lon: number | null;
}

export interface StationInput {
  id: string;
  name: string;
  lat?: number | null;
  lon?: number | null;
}

export interface NewUser {
  username: string;
  role: Role;
  passwordHash: string;
  displayName?: string;
  households?: string[];
}

/** Fields left undefined keep their value. */
export interface UserPatch {
  role?: Role;
  passwordHash?: string;
  displayName?: string;
  enabled?: boolean;
  households?: string[];
}

/** Households, their residents and emergency contacts. */
export interface HouseholdStore {
  /** All households by id, or those of `ids`. */
  list(ids?: readonly string[]): Promise<Household[]>;
  get(id: string): Promise<Household | null>;
  /** Inserts or updates; fields left out keep their value. */
  upsert(h: HouseholdInput): Promise<Change>;
  /** Deletes the household with its residents, contacts, gateways and devices. */
  delete(id: string): Promise<boolean>;

  /** A household's residents, by id. */
  residents(householdId: string): Promise<Resident[]>;
  getResident(id: string): Promise<Resident | null>;
  upsertResident(r: ResidentInput): Promise<Change>;
  /** Deletes a resident; their devices stay, linked to nobody. */
  deleteResident(id: string): Promise<boolean>;

  /** A household's contacts, by priority then id. */
  contacts(householdId: string): Promise<Contact[]>;
  getContact(id: number): Promise<Contact | null>;
  addContact(c: ContactInput): Promise<Contact>;
  /** Contacts are identified by (household, phone) when imported, so a re-import does not duplicate them. */
  upsertContactByPhone(c: ContactInput): Promise<Change>;
  updateContact(c: Contact): Promise<void>;
  deleteContact(id: number): Promise<boolean>;
}

/**
 * Devices, gateways and their secrets. A device that connects itself has a secret hash; a Zigbee device
 * behind a gateway has none and is addressed by (gateway, friendly name). Devices and gateways share the
 * MQTT client id space.
 */
export interface DeviceStore {
  /** hashes and verifies device and gateway secrets under this hub's key (kernel/device-secrets.ts) */
  readonly secrets: DeviceSecretHasher;
  /**
   * Called with an MQTT client id whenever its credentials or enabled flag change (auth caches listen);
   * told at the change, which may be inside a transaction still open.
   */
  onIdentityChanged(fn: (id: string) => void): void;

  /** All devices by id, or those of the households `householdIds`. */
  list(householdIds?: readonly string[]): Promise<Device[]>;
  /**
   * A device by id. Read for every message (the intake, the rules): answered from a cache without SQL
   * when it was read a moment ago and nothing in the registry changed since.
   */
  get(id: string): Promise<Device | null>;
  byFriendlyName(gatewayId: string, friendlyName: string): Promise<Device | null>;
  /** Inserts or updates a device. `secretHash` is set only when given (new device or secret rotation). */
  upsert(d: DeviceInput, secretHash?: string): Promise<Change>;
  delete(id: string): Promise<boolean>;
  /** Drops the cached devices (after a change that may touch them: a cascade, a rolled-back import). */
  forgetCached(): void;

  listGateways(householdIds?: readonly string[]): Promise<Gateway[]>;
  getGateway(id: string): Promise<Gateway | null>;
  /** Inserts or updates a gateway; a new one needs `secretHash`. */
  upsertGateway(g: GatewayInput, secretHash?: string): Promise<Change>;
  deleteGateway(id: string): Promise<boolean>;

  /** The credentials of an MQTT client id: a device with its own secret, or a gateway. */
  identity(id: string): Promise<MqttIdentity | null>;
  /**
   * Replaces verified legacy (scrypt) hashes with their fast form, in one transaction. Each row changes
   * only while it still holds the hash that was verified, so a rotation meanwhile wins. Not a credentials
   * change: live sessions stay and no identity listener is told. Resolves to the rows changed.
   */
  upgradeSecretHashes(upgrades: readonly SecretHashUpgrade[]): Promise<number>;
}

/** Users with their household links, responders and stations. */
export interface PeopleStore {
  /** All users, by user name. */
  listUsers(): Promise<User[]>;
  getUser(id: number): Promise<User | null>;
  /** A user with their password hash (for a login), by user name. */
  userByName(username: string): Promise<(User & { passwordHash: string }) | null>;
  /** Creates a user with their household links, in one transaction. */
  createUser(u: NewUser): Promise<User>;
  /**
   * Updates a user and their household links, in one transaction (a savepoint of the caller's); fields
   * left undefined keep their value. Ending their console sessions is the console's (console/store).
   */
  updateUser(id: number, patch: UserPatch): Promise<void>;
  deleteUser(id: number): Promise<boolean>;

  listResponders(): Promise<Responder[]>;
  getResponder(id: string): Promise<Responder | null>;
  upsertResponder(r: Responder): Promise<Change>;
  deleteResponder(id: string): Promise<boolean>;

  listStations(): Promise<Station[]>;
  upsertStation(s: StationInput): Promise<void>;
}

/** The registry of households, residents, contacts, devices, gateways, users, responders and stations. */
export interface Registry {
  households: HouseholdStore;
  devices: DeviceStore;
  people: PeopleStore;
  /** True when `id` is taken by a device or a gateway (they share the MQTT client id space). */
  mqttIdTaken(id: string): Promise<boolean>;
  /**
   * Runs `fn` in one store transaction: all of its writes or none (a bulk import). The connection is
   * held for the whole body: await the store calls in it one after the other.
   */
  transaction<T>(fn: () => Promise<T>): Promise<T>;
}
