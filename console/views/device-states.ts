import type { Alarm } from '../../alerts/alarm.ts';
import type { Statements } from '../../kernel/db.ts';
import type { Device } from '../../kernel/registry/types.ts';

/** What the consoles show of one device: connection, last seen, battery, and what is wrong with it. */
export interface DeviceState {
  id: string;
  type: Device['type'];
  room: Device['room'];
  friendlyName: string | null;
  gatewayId: string | null;
  enabled: boolean;
  /** online / offline as the broker last saw it; unknown before its first connection */
  connection: 'online' | 'offline' | 'unknown';
  /** epoch ms of its last message, null if never heard */
  lastSeenAt: number | null;
  /** epoch ms since it has been silent past its heartbeat deadline, else null */
  silentSince: number | null;
  /** per cent, its latest report; null if it never reported one */
  battery: number | null;
  /**
   * Problems as codes the pages put into words: battery_low, silent, offline, wristband_removed,
   * tamper, faulty (bad input over the threshold), disabled.
   */
  issues: string[];
}

/** Alarm types that are about one device, by the device id in their first evidence entry. */
const DEVICE_ALARMS = ['battery_low', 'tamper', 'wristband_removed', 'device_silent'] as const;

const deviceOfAlarm = (a: Alarm): string | null => {
  const first = a.evidence[0] as { deviceId?: unknown } | undefined;
  return typeof first?.deviceId === 'string' ? first.deviceId : null;
};

/**
 * The state of a household's devices from the store: presence, the latest battery reading (the newest
 * telemetry message carrying one, found through the messages_device index), faults and the household's
 * open device alarms.
 */
export function deviceStates(
  sql: Statements,
  devices: readonly Device[],
  openAlarms: readonly Alarm[],
): DeviceState[] {
  const presence = sql.get('SELECT state, last_seen_at, silent_since FROM presence WHERE client_id = ?');
  const battery = sql.get(
    `SELECT json_extract(body, '$.readings.battery') AS battery FROM messages
     WHERE device_id = ? AND channel = 'telemetry' AND json_extract(body, '$.readings.battery') IS NOT NULL
     ORDER BY id DESC LIMIT 1`,
  );
  const fault = sql.get('SELECT flagged_at FROM device_faults WHERE device_id = ?');
  return devices.map((d) => {
    const p = presence.get(d.id) as
      | { state: string; last_seen_at: number | null; silent_since: number | null }
      | undefined;
    const b = battery.get(d.id) as { battery: number | null } | undefined;
    const f = fault.get(d.id) as { flagged_at: number | null } | undefined;
    const issues = new Set<string>();
    for (const a of openAlarms) {
      if (!(DEVICE_ALARMS as readonly string[]).includes(a.type) || deviceOfAlarm(a) !== d.id) continue;
      issues.add(a.type === 'device_silent' ? 'silent' : a.type);
    }
    if (p?.silent_since != null) issues.add('silent');
    if (p?.state === 'offline') issues.add('offline');
    if (f?.flagged_at != null) issues.add('faulty');
    if (!d.enabled) issues.add('disabled');
    const connection = p?.state === 'online' || p?.state === 'offline' ? p.state : 'unknown';
    return {
      id: d.id,
      type: d.type,
      room: d.room,
      friendlyName: d.friendlyName,
      gatewayId: d.gatewayId,
      enabled: d.enabled,
      connection,
      lastSeenAt: p?.last_seen_at ?? null,
      silentSince: p?.silent_since ?? null,
      battery: b?.battery ?? null,
      issues: [...issues].sort(),
    };
  });
}
