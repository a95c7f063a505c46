import type { Clock } from '../../clock.ts';
import type { DeviceType, Room } from '../../contract.ts';
import type { Db } from '../../db.ts';
import { DeviceSecretHasher } from '../../device-secrets.ts';
import { connectionOf, type SqliteConnection } from '../../sqlite-connection.ts';
import { jsonArray, nowIso, type Row, str, strOrNull } from '../rows.ts';
import type { Device, Gateway, MqttIdentity } from '../types.ts';
import type { Change, DeviceInput, DeviceStore, GatewayInput, SecretHashUpgrade } from './types.ts';

const sosActionsOf = (v: Row[string] | undefined): string[] | null =>
  v === null || v === undefined ? null : jsonArray(v);

const toDevice = (r: Row): Device => ({
  id: str(r.id),
  householdId: str(r.household_id),
  type: str(r.type) as DeviceType,
  room: strOrNull(r.room) as Room | null,
  residentId: strOrNull(r.resident_id),
  gatewayId: strOrNull(r.gateway_id),
  friendlyName: strOrNull(r.friendly_name),
  sosActions: sosActionsOf(r.sos_actions),
  enabled: Number(r.enabled) === 1,
});

const toGateway = (r: Row): Gateway => ({
  id: str(r.id),
  householdId: str(r.household_id),
  enabled: Number(r.enabled) === 1,
});

const DEVICE = 'SELECT * FROM devices WHERE id = ?';
const DEVICES = 'SELECT * FROM devices ORDER BY id';
const BY_FRIENDLY_NAME = 'SELECT * FROM devices WHERE gateway_id = ? AND friendly_name = ?';
const GATEWAY = 'SELECT * FROM gateways WHERE id = ?';
const GATEWAYS = 'SELECT * FROM gateways ORDER BY id';
const UPSERT_DEVICE = `INSERT INTO devices (id, household_id, type, room, resident_id, gateway_id, friendly_name, sos_actions, secret_hash, enabled, created_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET household_id = excluded.household_id, type = excluded.type, room = excluded.room,
    resident_id = excluded.resident_id, gateway_id = excluded.gateway_id, friendly_name = excluded.friendly_name,
    sos_actions = excluded.sos_actions, secret_hash = COALESCE(excluded.secret_hash, devices.secret_hash),
    enabled = excluded.enabled`;
const UPSERT_GATEWAY = `INSERT INTO gateways (id, household_id, secret_hash, enabled, created_at) VALUES (?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET household_id = excluded.household_id,
    secret_hash = COALESCE(?, gateways.secret_hash), enabled = excluded.enabled`;
const DEVICE_IDENTITY =
  'SELECT id, household_id, secret_hash, enabled FROM devices WHERE id = ? AND secret_hash IS NOT NULL';
const GATEWAY_IDENTITY = 'SELECT id, household_id, secret_hash, enabled FROM gateways WHERE id = ?';
const UPGRADE_SECRET = {
  device: 'UPDATE devices SET secret_hash = ? WHERE id = ? AND secret_hash = ?',
  gateway: 'UPDATE gateways SET secret_hash = ? WHERE id = ? AND secret_hash = ?',
} as const;

/** ms of wall time a cached device is trusted (a freshness bound, not a deadline: no injected clock). */
const FRESH_MS = 2000;
/** devices cached at most (a county has ~10k; the cache starts over beyond this) */
const MAX_CACHED = 100_000;

const inHouseholds = <T extends { householdId: string }>(all: T[], householdIds?: readonly string[]) =>
  householdIds ? all.filter((x) => householdIds.includes(x.householdId)) : all;

/** Devices, gateways and their secrets on the embedded store. */
export class SqliteDeviceStore implements DeviceStore {
  readonly #conn: SqliteConnection;
  readonly #clock: Clock;
  readonly #listeners: Array<(id: string) => void> = [];
  /**
   * Devices by id, read on every message (intake, rules: ~6 reads a message, ~9 µs each from SQLite); a
   * hit runs no SQL. Dropped on any change through the registry (this store, household and resident
   * deletes that cascade, every registry transaction); kept at most FRESH_MS of wall time so that a
   * write by another process on the same store (the CLI import) is seen within it. Misses are not kept,
   * nor is anything read while a transaction is open (it may be one that rolls back; another context
   * must never be answered its uncommitted rows).
   */
  readonly #cache = new Map<string, { device: Device; at: number }>();
  readonly secrets: DeviceSecretHasher;

  constructor(db: Db, clock: Clock) {
    this.#conn = connectionOf(db);
    this.#clock = clock;
    this.secrets = DeviceSecretHasher.forDatabase(db);
  }

  onIdentityChanged(fn: (id: string) => void): void {
    this.#listeners.push(fn);
  }

  #changed(id: string): void {
    this.forgetCached();
    for (const fn of this.#listeners) fn(id);
  }

  forgetCached(): void {
    this.#cache.clear();
  }

  /** The cached device, or undefined on a miss (never SQL). */
  #hit(id: string): Device | undefined {
    const hit = this.#cache.get(id);
    return hit && performance.now() - hit.at < FRESH_MS ? hit.device : undefined;
  }

  #read(id: string): Device | null {
    const row = this.#conn.statement(DEVICE).get(id);
    const device = row ? toDevice(row) : null;
    if (device && !this.#conn.db.isTransaction) {
      if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
      this.#cache.set(id, { device, at: performance.now() });
    } else {
      this.#cache.delete(id);
    }
    return device;
  }

  #list(householdIds?: readonly string[]): Device[] {
    return inHouseholds(this.#conn.statement(DEVICES).all().map(toDevice), householdIds);
  }

  #byFriendlyName(gatewayId: string, friendlyName: string): Device | null {
    const row = this.#conn.statement(BY_FRIENDLY_NAME).get(gatewayId, friendlyName);
    return row ? toDevice(row) : null;
  }

  #gateway(id: string): Gateway | null {
    const row = this.#conn.statement(GATEWAY).get(id);
    return row ? toGateway(row) : null;
  }

  #identity(id: string): MqttIdentity | null {
    const device = this.#conn.statement(DEVICE_IDENTITY).get(id);
    const row = device ?? this.#conn.statement(GATEWAY_IDENTITY).get(id);
    if (!row) return null;
    return {
      id,
      kind: device ? 'device' : 'gateway',
      householdId: str(row.household_id),
      secretHash: str(row.secret_hash),
      enabled: Number(row.enabled) === 1,
    };
  }

  list(householdIds?: readonly string[]): Promise<Device[]> {
    return this.#conn.use(() => this.#list(householdIds));
  }

  get(id: string): Promise<Device | null> {
    const hit = this.#hit(id);
    return hit ? Promise.resolve(hit) : this.#conn.use(() => this.#read(id));
  }

  byFriendlyName(gatewayId: string, friendlyName: string): Promise<Device | null> {
    return this.#conn.use(() => this.#byFriendlyName(gatewayId, friendlyName));
  }

  upsert(d: DeviceInput, secretHash?: string): Promise<Change> {
    return this.#conn.use(() => {
      const row = this.#conn.statement(DEVICE).get(d.id);
      const existing = row ? toDevice(row) : null;
      const next: Device = {
        id: d.id,
        householdId: d.householdId,
        type: d.type,
        room: d.room === undefined ? (existing?.room ?? null) : d.room,
        residentId: d.residentId === undefined ? (existing?.residentId ?? null) : d.residentId,
        gatewayId: d.gatewayId === undefined ? (existing?.gatewayId ?? null) : d.gatewayId,
        friendlyName: d.friendlyName === undefined ? (existing?.friendlyName ?? null) : d.friendlyName,
        sosActions:
          d.sosActions === undefined ? (existing?.sosActions ?? null) : d.sosActions && [...d.sosActions],
        enabled: d.enabled ?? existing?.enabled ?? true,
      };
      if (existing && !secretHash && JSON.stringify(existing) === JSON.stringify(next)) return 'unchanged';
      this.#conn
        .statement(UPSERT_DEVICE)
        .run(
          next.id,
          next.householdId,
          next.type,
          next.room,
          next.residentId,
          next.gatewayId,
          next.friendlyName,
          next.sosActions === null ? null : JSON.stringify(next.sosActions),
          secretHash ?? null,
          next.enabled ? 1 : 0,
          nowIso(this.#clock.now()),
        );
      this.#changed(next.id);
      return existing ? 'updated' : 'created';
    });
  }

  delete(id: string): Promise<boolean> {
    return this.#conn.use(() => {
      const done = this.#conn.statement('DELETE FROM devices WHERE id = ?').run(id).changes > 0;
      if (done) this.#changed(id);
      return done;
    });
  }

  listGateways(householdIds?: readonly string[]): Promise<Gateway[]> {
    return this.#conn.use(() =>
      inHouseholds(this.#conn.statement(GATEWAYS).all().map(toGateway), householdIds),
    );
  }

  getGateway(id: string): Promise<Gateway | null> {
    return this.#conn.use(() => this.#gateway(id));
  }

  upsertGateway(g: GatewayInput, secretHash?: string): Promise<Change> {
    return this.#conn.use(() => {
      const existing = this.#gateway(g.id);
      const next: Gateway = {
        id: g.id,
        householdId: g.householdId,
        enabled: g.enabled ?? existing?.enabled ?? true,
      };
      if (existing && !secretHash && JSON.stringify(existing) === JSON.stringify(next)) return 'unchanged';
      if (!existing && !secretHash) throw new Error(`gateway ${g.id}: a new gateway needs a secret`);
      this.#conn
        .statement(UPSERT_GATEWAY)
        .run(
          next.id,
          next.householdId,
          secretHash ?? '',
          next.enabled ? 1 : 0,
          nowIso(this.#clock.now()),
          secretHash ?? null,
        );
      this.#changed(next.id);
      return existing ? 'updated' : 'created';
    });
  }

  deleteGateway(id: string): Promise<boolean> {
    return this.#conn.use(() => {
      const done = this.#conn.statement('DELETE FROM gateways WHERE id = ?').run(id).changes > 0;
      if (done) this.#changed(id);
      return done;
    });
  }

  identity(id: string): Promise<MqttIdentity | null> {
    return this.#conn.use(() => this.#identity(id));
  }

  async upgradeSecretHashes(upgrades: readonly SecretHashUpgrade[]): Promise<number> {
    if (upgrades.length === 0) return 0;
    return this.#conn.transaction(() =>
      this.#conn.use(() => {
        let changed = 0;
        for (const u of upgrades)
          changed += Number(this.#conn.statement(UPGRADE_SECRET[u.kind]).run(u.to, u.id, u.from).changes);
        return changed;
      }),
    );
  }
}
