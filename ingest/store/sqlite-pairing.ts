import type { DeviceType } from '../../kernel/contract.ts';
import type { Db } from '../../kernel/db.ts';
import { connectionOf } from '../../kernel/sqlite-connection.ts';
import type { InterviewState, ZigbeeDeviceInfo } from '../zigbee-bridge-messages.ts';
import type { KnownZigbeeDevice, PairingStore } from './types.ts';

// A field the message did not carry (null) keeps what was known: a device_joined after an interview does
// not forget the model.
const UPSERT = `INSERT INTO zigbee_devices (gateway_id, ieee_address, friendly_name, model, vendor, description,
    suggested_type, interview, first_seen_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(gateway_id, ieee_address) DO UPDATE SET friendly_name = excluded.friendly_name,
    model = COALESCE(excluded.model, model), vendor = COALESCE(excluded.vendor, vendor),
    description = COALESCE(excluded.description, description),
    suggested_type = COALESCE(excluded.suggested_type, suggested_type),
    interview = COALESCE(excluded.interview, interview), updated_at = excluded.updated_at`;
const DELETE = 'DELETE FROM zigbee_devices WHERE gateway_id = ? AND ieee_address = ?';
const LIST_ALL = 'SELECT * FROM zigbee_devices ORDER BY first_seen_at DESC, ieee_address';
const LIST_ONE =
  'SELECT * FROM zigbee_devices WHERE gateway_id = ? ORDER BY first_seen_at DESC, ieee_address';

const nullable = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

/** The Zigbee devices the gateways know (table `zigbee_devices`), on the embedded store. */
export function createSqlitePairingStore(db: Db): PairingStore {
  const conn = connectionOf(db);
  const upsert = (gatewayId: string, d: ZigbeeDeviceInfo, at: number) =>
    conn
      .statement(UPSERT)
      .run(
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
  const known = (gatewayId?: string): KnownZigbeeDevice[] =>
    (gatewayId === undefined ? conn.statement(LIST_ALL).all() : conn.statement(LIST_ONE).all(gatewayId)).map(
      (r) => ({
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
      }),
    );
  return {
    seen(gatewayId, d, at) {
      return conn.use(() => {
        upsert(gatewayId, d, at);
      });
    },
    replace(gatewayId, devices, at) {
      return conn.transaction(() =>
        conn.use(() => {
          const keep = new Set(devices.map((d) => d.ieeeAddress));
          const del = conn.statement(DELETE);
          for (const k of known(gatewayId)) if (!keep.has(k.ieeeAddress)) del.run(gatewayId, k.ieeeAddress);
          for (const d of devices) upsert(gatewayId, d, at);
        }),
      );
    },
    left(gatewayId, ieeeAddress) {
      return conn.use(() => {
        conn.statement(DELETE).run(gatewayId, ieeeAddress);
      });
    },
    list(gatewayId) {
      return conn.use(() => known(gatewayId));
    },
  };
}
