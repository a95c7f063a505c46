/**
 * What a gateway's Zigbee2MQTT says about the devices on its network, for pairing from the admin page:
 * its retained `bridge/devices` (the whole list) and its `bridge/event` (`device_joined`,
 * `device_interview`, `device_leave`). Pure: no I/O. Shapes as Zigbee2MQTT 1.x and 2.x publish them:
 *
 *   bridge/devices  [{"ieee_address":"0x00158d0001a2b3c4","type":"EndDevice","friendly_name":"kitchen_leak",
 *                     "interview_completed":true,"definition":{"model":"SJCGQ11LM","vendor":"Aqara",
 *                     "description":"Water leak sensor","exposes":[{"name":"water_leak",…},…]},…},…]
 *   bridge/event    {"type":"device_joined","data":{"friendly_name":"0x00158d0001a2b3c4","ieee_address":"0x00158d0001a2b3c4"}}
 *                   {"type":"device_interview","data":{"friendly_name":…,"ieee_address":…,
 *                     "status":"started"|"successful"|"failed","definition":{…}}}
 *                   {"type":"device_leave","data":{"ieee_address":…,"friendly_name":…}}
 */
import type { DeviceType } from '../kernel/contract.ts';
import { decodeUtf8 } from './payload.ts';

export const INTERVIEW_STATES = ['started', 'successful', 'failed'] as const;
export type InterviewState = (typeof INTERVIEW_STATES)[number];

/** One Zigbee device as its gateway's Zigbee2MQTT describes it. */
export interface ZigbeeDeviceInfo {
  ieeeAddress: string;
  friendlyName: string;
  model: string | null;
  vendor: string | null;
  description: string | null;
  /** the hub device type its exposed features suggest (water_leak, occupancy, action), or null */
  suggestedType: DeviceType | null;
  interview: InterviewState | null;
}

export type BridgeUpdate =
  /** `bridge/devices`: the gateway's whole network; `skipped` entries were not usable */
  | { kind: 'list'; devices: ZigbeeDeviceInfo[]; skipped: number }
  /** joined or interviewed: fields that are null were not in the message and keep what was known */
  | { kind: 'seen'; device: ZigbeeDeviceInfo }
  | { kind: 'left'; ieeeAddress: string }
  /** another event type (device_announce, …): nothing to remember */
  | { kind: 'ignored'; type: string }
  | { kind: 'invalid'; detail: string };

/** Devices one gateway's list holds at most (a Zigbee coordinator serves ~200; beyond it, skipped). */
export const MAX_DEVICES_PER_GATEWAY = 500;
/** Characters kept of a model, vendor or description. */
const MAX_TEXT = 200;
/** Zigbee2MQTT friendly names the hub can address: FriendlyName in console/schemas.ts. */
const MAX_FRIENDLY_NAME = 128;
/** A Zigbee IEEE (EUI-64) address as Zigbee2MQTT writes it. */
const IEEE_ADDRESS = /^0x[0-9a-fA-F]{16}$/;
/** How deep `exposes` is searched (composite features nest one or two levels). */
const MAX_EXPOSE_DEPTH = 4;

/** Exposed features and the device type they mean, most telling first (a leak sensor may expose `action`). */
const TYPE_BY_FEATURE: ReadonlyArray<[string, DeviceType]> = [
  ['water_leak', 'leak'],
  ['occupancy', 'motion'],
  ['action', 'button'],
];

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() !== '' ? v.trim().slice(0, MAX_TEXT) : null;

function parse(payload: Uint8Array): { ok: true; value: unknown } | { ok: false; detail: string } {
  const raw = decodeUtf8(payload);
  if (raw === undefined) return { ok: false, detail: 'not valid UTF-8' };
  try {
    return { ok: true, value: JSON.parse(raw) };
  } catch {
    // Broken JSON from a gateway's housekeeping topic: counted by the caller, nothing remembered.
    return { ok: false, detail: 'not JSON' };
  }
}

/** `bridge/devices`, the retained list of the gateway's network (its coordinator left out). */
export function decodeBridgeDevices(payload: Uint8Array): BridgeUpdate {
  const parsed = parse(payload);
  if (!parsed.ok) return { kind: 'invalid', detail: `bridge/devices: ${parsed.detail}` };
  if (!Array.isArray(parsed.value)) return { kind: 'invalid', detail: 'bridge/devices: not a JSON array' };
  const devices: ZigbeeDeviceInfo[] = [];
  let skipped = 0;
  for (const entry of parsed.value) {
    if (isObject(entry) && entry.type === 'Coordinator') continue;
    const device = isObject(entry)
      ? deviceInfo(entry, entry.interview_completed === true ? 'successful' : null)
      : null;
    if (device === null || devices.length >= MAX_DEVICES_PER_GATEWAY) skipped++;
    else devices.push(device);
  }
  return { kind: 'list', devices, skipped };
}

/** `bridge/event`: a device joined, was interviewed, or left. */
export function decodeBridgeEvent(payload: Uint8Array): BridgeUpdate {
  const parsed = parse(payload);
  if (!parsed.ok) return { kind: 'invalid', detail: `bridge/event: ${parsed.detail}` };
  const event = parsed.value;
  if (!isObject(event) || typeof event.type !== 'string' || !isObject(event.data)) {
    return { kind: 'invalid', detail: 'bridge/event: must be {"type":…,"data":{…}}' };
  }
  const data = event.data;
  switch (event.type) {
    case 'device_joined':
    case 'device_interview': {
      const status = INTERVIEW_STATES.find((s) => s === data.status) ?? null;
      const device = deviceInfo(data, event.type === 'device_interview' ? status : null);
      return device
        ? { kind: 'seen', device }
        : { kind: 'invalid', detail: `bridge/event ${event.type}: no usable ieee_address and friendly_name` };
    }
    case 'device_leave':
      return typeof data.ieee_address === 'string' && IEEE_ADDRESS.test(data.ieee_address)
        ? { kind: 'left', ieeeAddress: data.ieee_address.toLowerCase() }
        : { kind: 'invalid', detail: 'bridge/event device_leave: no usable ieee_address' };
    default:
      return { kind: 'ignored', type: event.type.slice(0, 40) };
  }
}

function deviceInfo(entry: Json, interview: InterviewState | null): ZigbeeDeviceInfo | null {
  const ieee = entry.ieee_address;
  const name = entry.friendly_name;
  if (typeof ieee !== 'string' || !IEEE_ADDRESS.test(ieee)) return null;
  if (typeof name !== 'string' || name === '' || name.length > MAX_FRIENDLY_NAME) return null;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[+#\u0000-\u001f]/.test(name) || name === 'bridge' || name.startsWith('bridge/')) return null;
  const definition = isObject(entry.definition) ? entry.definition : null;
  return {
    ieeeAddress: ieee.toLowerCase(),
    friendlyName: name,
    model: text(definition?.model),
    vendor: text(definition?.vendor),
    description: text(definition?.description),
    suggestedType: definition ? suggestType(definition.exposes) : null,
    interview,
  };
}

/** The hub device type a Zigbee2MQTT definition's `exposes` suggests (see TYPE_BY_FEATURE). */
function suggestType(exposes: unknown): DeviceType | null {
  const features = new Set<string>();
  const walk = (value: unknown, depth: number) => {
    if (!Array.isArray(value) || depth > MAX_EXPOSE_DEPTH) return;
    for (const item of value) {
      if (!isObject(item)) continue;
      for (const key of ['property', 'name'] as const) {
        const v = item[key];
        if (typeof v === 'string') features.add(v);
      }
      walk(item.features, depth + 1);
    }
  };
  walk(exposes, 0);
  return TYPE_BY_FEATURE.find(([feature]) => features.has(feature))?.[1] ?? null;
}
