/**
 * The Zigbee devices each gateway's Zigbee2MQTT knows (table `zigbee_devices`, migration 12), for pairing
 * from the admin page. Writes run inside the intake's group commit (zigbee-pairing.ts); reads are the
 * console's, through IngestReads.
 */
import type { StatementSync } from 'node:sqlite';
import type { DeviceType } from '../kernel/contract.ts';
import type { Db } from '../kernel/db.ts';
import type { InterviewState, ZigbeeDeviceInfo } from './zigbee-bridge-messages.ts';

export interface KnownZigbeeDevice extends ZigbeeDeviceInfo {
  gatewayId: string;
  /** epoch ms, hub clock: first heard of, and last heard of (bridge/devices is replayed on reconnects) */
  firstSeenAt: number;
  updatedAt: number;
}

const nullable = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export class ZigbeePairingStore {
  readonly #db: Db;
  readonly #upsert: StatementSync;

  constructor(db: Db) {
    this.#db = db;
    // A field the message did not carry (null) keeps what was known: a device_joined after an interview
    // does not forget the model.
    this.#upsert = db.prepare(
      `INSERT INTO zigbee_devices (gateway_id, ieee_address, friendly_name, model, vendor, description,
         suggested_type, interview, first_seen_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(gateway_id, ieee_address) DO UPDATE SET friendly_name = excluded.friendly_name,
         model = COALESCE(excluded.model, model), vendor = COALESCE(excluded.vendor, vendor),
         description = COALESCE(excluded.description, description),
         suggested_type = COALESCE(excluded.suggested_type, suggested_type),
         interview = COALESCE(excluded.interview, interview), updated_at = excluded.updated_at`,
    );
  }

  /** Adds or updates one device (bridge/event). */
  seen(gatewayId: string, d: ZigbeeDeviceInfo, at: number): void {
    this.#upsert.run(
      gatewayId,
      d.ieeeAddress,
      d.friendlyName,
      d.model,
      d.vendor,
      d.description,
      d.suggestedType,
      d.interview,
      at,
      at,
    );
  }

  /** The gateway's whole network (bridge/devices): devices not in it have left. */
  replace(gatewayId: string, devices: readonly ZigbeeDeviceInfo[], at: number): void {
    const keep = new Set(devices.map((d) => d.ieeeAddress));
    const del = this.#db.prepare('DELETE FROM zigbee_devices WHERE gateway_id = ? AND ieee_address = ?');
    for (const known of this.list(gatewayId))
      if (!keep.has(known.ieeeAddress)) del.run(gatewayId, known.ieeeAddress);
    for (const d of devices) this.seen(gatewayId, d, at);
  }

  left(gatewayId: string, ieeeAddress: string): void {
    this.#db
      .prepare('DELETE FROM zigbee_devices WHERE gateway_id = ? AND ieee_address = ?')
      .run(gatewayId, ieeeAddress);
  }

  /** Known devices, of one gateway or of all, the newest on the network first. */
  list(gatewayId?: string): KnownZigbeeDevice[] {
    const rows =
      gatewayId === undefined
        ? this.#db.prepare('SELECT * FROM zigbee_devices ORDER BY first_seen_at DESC, ieee_address').all()
        : this.#db
            .prepare(
              'SELECT * FROM zigbee_devices WHERE gateway_id = ? ORDER BY first_seen_at DESC, ieee_address',
            )
            .all(gatewayId);
    return rows.map((r) => ({
      gatewayId: String(r.gateway_id),
      ieeeAddress: String(r.ieee_address),
      friendlyName: String(r.friendly_name),
      model: nullable(r.model),
      vendor: nullable(r.vendor),
      description: nullable(r.description),
      suggestedType: nullable(r.suggested_type) as DeviceType | null,
      interview: nullable(r.interview) as InterviewState | null,
      firstSeenAt: Number(r.first_seen_at),
      updatedAt: Number(r.updated_at),
    }));
  }
}
