import type { Clock } from '../clock.ts';
import type { DeviceType, Room } from '../contract.ts';
import { type Db, Statements, transaction } from '../db.ts';
import { DeviceSecretHasher } from '../device-secrets.ts';
import { jsonArray, nowIso, type Row, str, strOrNull } from './rows.ts';
import type { Device, Gateway, MqttIdentity } from './types.ts';

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

type Change = 'created' | 'updated' | 'unchanged';

/** ms of wall time a cached device is trusted (a freshness bound, not a deadline: no injected clock). */
const FRESH_MS = 2000;
/** devices cached at most (a county has ~10k; the cache starts over beyond this) */
const MAX_CACHED = 100_000;

/**
 * Devices and gateways. A device that connects itself has a secret hash; a Zigbee device behind a
 * gateway has none and is addressed by (gateway, friendly name).
 */
export class DeviceStore {
  readonly #sql: Statements;
  readonly #clock: Clock;
  readonly #listeners: Array<(id: string) => void> = [];
  /**
   * Devices by id, read on every message (intake, rules: ~6 reads a message, ~9 µs each from SQLite).
   * Dropped on any change through the registry (this store, household and resident deletes that
   * cascade, every registry transaction); kept at most FRESH_MS of wall time so that a write by another
   * process on the same store (the CLI import) is seen within it. Misses are not kept.
   */
  readonly #cache = new Map<string, { device: Device; at: number }>();
  readonly #db: Db;
  /** hashes and verifies device and gateway secrets under this hub's key (see device-secrets.ts) */
  readonly secrets: DeviceSecretHasher;
  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#sql = new Statements(db);
    this.#clock = clock;
    this.secrets = DeviceSecretHasher.forDatabase(db);
  }

  /** Called with an MQTT client id whenever its credentials or enabled flag change (auth caches listen). */
  onIdentityChanged(fn: (id: string) => void): void {
    this.#listeners.push(fn);
  }

  #changed(id: string): void {
    this.forgetCached();
    for (const fn of this.#listeners) fn(id);
  }

  list(householdIds?: readonly string[]): Device[] {
    const all = this.#sql.get('SELECT * FROM devices ORDER BY id').all().map(toDevice);
    return householdIds ? all.filter((d) => householdIds.includes(d.householdId)) : all;
  }

  get(id: string): Device | null {
    const now = performance.now();
    const hit = this.#cache.get(id);
    if (hit && now - hit.at < FRESH_MS) return hit.device;
    const row = this.#sql.get('SELECT * FROM devices WHERE id = ?').get(id);
    const device = row ? toDevice(row) : null;
    if (this.#cache.size >= MAX_CACHED) this.#cache.clear();
    if (device) this.#cache.set(id, { device, at: now });
    else this.#cache.delete(id);
    return device;
  }

  /** Drops the cached devices (after a change that may touch them: a cascade, a rolled-back import). */
  forgetCached(): void {
    this.#cache.clear();
  }

  byFriendlyName(gatewayId: string, friendlyName: string): Device | null {
    const row = this.#sql
      .get('SELECT * FROM devices WHERE gateway_id = ? AND friendly_name = ?')
      .get(gatewayId, friendlyName);
    return row ? toDevice(row) : null;
  }

  /** Inserts or updates a device. `secretHash` is set only when given (new device or secret rotation). */
  upsert(d: DeviceInput, secretHash?: string): Change {
    const existing = this.get(d.id);
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
    this.#sql
      .get(
        `INSERT INTO devices (id, household_id, type, room, resident_id, gateway_id, friendly_name, sos_actions, secret_hash, enabled, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET household_id = excluded.household_id, type = excluded.type, room = excluded.room,
           resident_id = excluded.resident_id, gateway_id = excluded.gateway_id, friendly_name = excluded.friendly_name,
           sos_actions = excluded.sos_actions, secret_hash = COALESCE(excluded.secret_hash, devices.secret_hash),
           enabled = excluded.enabled`,
      )
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
  }

  delete(id: string): boolean {
    const done = this.#sql.get('DELETE FROM devices WHERE id = ?').run(id).changes > 0;
    if (done) this.#changed(id);
    return done;
  }

  listGateways(householdIds?: readonly string[]): Gateway[] {
    const all = this.#sql.get('SELECT * FROM gateways ORDER BY id').all().map(toGateway);
    return householdIds ? all.filter((g) => householdIds.includes(g.householdId)) : all;
  }

  getGateway(id: string): Gateway | null {
    const row = this.#sql.get('SELECT * FROM gateways WHERE id = ?').get(id);
    return row ? toGateway(row) : null;
  }

  upsertGateway(g: { id: string; householdId: string; enabled?: boolean }, secretHash?: string): Change {
    const existing = this.getGateway(g.id);
    const next: Gateway = {
      id: g.id,
      householdId: g.householdId,
      enabled: g.enabled ?? existing?.enabled ?? true,
    };
    if (existing && !secretHash && JSON.stringify(existing) === JSON.stringify(next)) return 'unchanged';
    if (!existing && !secretHash) throw new Error(`gateway ${g.id}: a new gateway needs a secret`);
    this.#sql
      .get(
        `INSERT INTO gateways (id, household_id, secret_hash, enabled, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET household_id = excluded.household_id,
           secret_hash = COALESCE(?, gateways.secret_hash), enabled = excluded.enabled`,
      )
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
  }

  deleteGateway(id: string): boolean {
    const done = this.#sql.get('DELETE FROM gateways WHERE id = ?').run(id).changes > 0;
    if (done) this.#changed(id);
    return done;
  }

  /**
   * Replaces verified legacy (scrypt) hashes with their fast form, in one transaction. Each row changes
   * only while it still holds the hash that was verified, so a rotation meanwhile wins. Not a credentials
   * change: live sessions stay and no identity listener is told. Returns the rows changed.
   */
  upgradeSecretHashes(
    upgrades: ReadonlyArray<{ id: string; kind: 'device' | 'gateway'; from: string; to: string }>,
  ): number {
    if (upgrades.length === 0) return 0;
    return transaction(this.#db, () => {
      let changed = 0;
      for (const u of upgrades) {
        const table = u.kind === 'device' ? 'devices' : 'gateways';
        changed += Number(
          this.#sql
            .get(`UPDATE ${table} SET secret_hash = ? WHERE id = ? AND secret_hash = ?`)
            .run(u.to, u.id, u.from).changes,
        );
      }
      return changed;
    });
  }

  /** The credentials of an MQTT client id: a device with its own secret, or a gateway. */
  identity(id: string): MqttIdentity | null {
    const device = this.#sql
      .get(
        'SELECT id, household_id, secret_hash, enabled FROM devices WHERE id = ? AND secret_hash IS NOT NULL',
      )
      .get(id);
    if (device) {
      return {
        id,
        kind: 'device',
        householdId: str(device.household_id),
        secretHash: str(device.secret_hash),
        enabled: Number(device.enabled) === 1,
      };
    }
    const gw = this.#sql
      .get('SELECT id, household_id, secret_hash, enabled FROM gateways WHERE id = ?')
      .get(id);
    if (gw) {
      return {
        id,
        kind: 'gateway',
        householdId: str(gw.household_id),
        secretHash: str(gw.secret_hash),
        enabled: Number(gw.enabled) === 1,
      };
    }
    return null;
  }
}
