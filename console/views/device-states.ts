import type { Alarm } from '../../alerts/alarm.ts';
import type { DeviceIngestState } from '../../ingest/queries/types.ts';
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
 * The state of a household's devices: the intake's presence, latest battery reading and faults
 * (`ingest` of IngestQueries.devicesState, one batch for the list), and the household's open device alarms.
 */
export function deviceStates(
  devices: readonly Device[],
  ingest: ReadonlyMap<string, DeviceIngestState>,
  openAlarms: readonly Alarm[],
): DeviceState[] {
  return devices.map((d) => {
    const known = ingest.get(d.id);
    const p = known?.presence ?? null;
    const issues = new Set<string>();
    for (const a of openAlarms) {
      if (!(DEVICE_ALARMS as readonly string[]).includes(a.type) || deviceOfAlarm(a) !== d.id) continue;
      issues.add(a.type === 'device_silent' ? 'silent' : a.type);
    }
    if (p?.silentSince != null) issues.add('silent');
    if (p?.state === 'offline') issues.add('offline');
    if (known?.faultFlaggedAt != null) issues.add('faulty');
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
      lastSeenAt: p?.lastSeenAt ?? null,
      silentSince: p?.silentSince ?? null,
      battery: known?.battery ?? null,
      issues: [...issues].sort(),
    };
  });
}
