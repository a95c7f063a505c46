import { describe, expect, it } from 'vitest';
import type { DecodeResult } from '../ingest/canonical.ts';
import {
  classifyGatewaySubtopic,
  DEFAULT_BUTTON_ACTIONS,
  decodeBridgeState,
  decodeZigbee,
  decodeZigbeeAvailability,
} from '../ingest/decode.ts';
import { MAX_PAYLOAD_BYTES } from '../kernel/contract.ts';
import type { Device } from '../kernel/registry/types.ts';

const RECEIVED_AT = 1_714_550_400_000; // 2024-05-01T08:00:00Z, hub clock
const GATEWAY = { id: 'gw-1', householdId: 'hh-1' };

function zigbeeDevice(
  id: string,
  type: Device['type'],
  friendlyName: string,
  room: Device['room'] = null,
): Device {
  return {
    id,
    householdId: 'hh-1',
    type,
    room,
    residentId: null,
    gatewayId: 'gw-1',
    friendlyName,
    sosActions: null,
    enabled: true,
  };
}

const DEVICES = [
  zigbeeDevice('z-pir', 'motion', 'hallway/pir', 'entrance'),
  zigbeeDevice('z-leak', 'leak', 'bath_leak', 'bathroom'),
  zigbeeDevice('z-btn', 'button', 'sos_button', 'bedroom'),
  { ...zigbeeDevice('z-btn-own', 'button', 'tuya_button', 'living'), sosActions: ['on', 'hold'] },
  { ...zigbeeDevice('z-other', 'button', 'neighbour_button'), householdId: 'hh-2' },
];
const lookup = (name: string) => DEVICES.find((d) => d.friendlyName === name) ?? null;

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

function decode(friendlyName: string, payload: unknown): DecodeResult {
  return decodeZigbee(GATEWAY, friendlyName, lookup, json(payload), RECEIVED_AT);
}

function ok(result: DecodeResult) {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.detail}`);
  return result.messages;
}

function err(result: DecodeResult) {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.messages)}`);
  return result;
}

const events = (r: DecodeResult) =>
  ok(r)
    .filter((m) => m.channel === 'event')
    .map((m) => m.event?.name);

describe('Zigbee2MQTT mapping table', () => {
  it('occupancy: true on a motion sensor is a motion event, with gateway and friendly name, no seq', () => {
    const [m, ...rest] = ok(decode('hallway/pir', { occupancy: true }));
    expect(rest).toHaveLength(0);
    expect(m).toStrictEqual({
      deviceId: 'z-pir',
      householdId: 'hh-1',
      deviceType: 'motion',
      room: 'entrance',
      channel: 'event',
      event: { name: 'motion' },
      readings: null,
      status: null,
      deviceTime: null,
      receivedAt: RECEIVED_AT,
      seq: null,
      source: 'zigbee',
      gatewayId: 'gw-1',
      friendlyName: 'hallway/pir',
    });
  });

  it('occupancy: false is clear', () => {
    expect(events(decode('hallway/pir', { occupancy: false }))).toStrictEqual(['clear']);
  });

  it('water_leak true / false on a leak sensor is leak / dry', () => {
    expect(events(decode('bath_leak', { water_leak: true }))).toStrictEqual(['leak']);
    expect(events(decode('bath_leak', { water_leak: false }))).toStrictEqual(['dry']);
  });

  it.each(['single', 'sos', 'emergency', 'press'])('button action %s (default list) is sos', (action) => {
    expect(DEFAULT_BUTTON_ACTIONS).toContain(action);
    expect(events(decode('sos_button', { action }))).toStrictEqual(['sos']);
  });

  it('another action is no event and not an error', () => {
    expect(ok(decode('sos_button', { action: 'double' }))).toStrictEqual([]);
    expect(ok(decode('sos_button', { action: '' }))).toStrictEqual([]);
    expect(ok(decode('sos_button', { action: null }))).toStrictEqual([]);
  });

  it("a button's own action list (provisioned per device) replaces the default", () => {
    expect(events(decode('tuya_button', { action: 'hold' }))).toStrictEqual(['sos']);
    expect(events(decode('tuya_button', { action: 'on' }))).toStrictEqual(['sos']);
    expect(events(decode('tuya_button', { action: 'single' }))).toStrictEqual([]);
    expect(events(decode('sos_button', { action: 'hold' }))).toStrictEqual([]);
  });

  it('battery, battery_low, tamper and linkquality are telemetry readings', () => {
    const [m, ...rest] = ok(
      decode('bath_leak', { battery: 91, battery_low: false, tamper: true, linkquality: 132 }),
    );
    expect(rest).toHaveLength(0);
    expect(m?.channel).toBe('telemetry');
    expect(m?.readings).toStrictEqual({ battery: 91, batteryLow: false, tamper: true, linkquality: 132 });
    expect(m?.event).toBeNull();
    expect(m?.seq).toBeNull();
  });

  it.each([
    [{ battery: 40 }, { battery: 40 }],
    [{ battery_low: true }, { batteryLow: true }],
    [{ tamper: false }, { tamper: false }],
    [{ linkquality: 0 }, { linkquality: 0 }],
  ])('telemetry field alone %j → %j', (payload, readings) => {
    const [m] = ok(decode('sos_button', payload));
    expect(m?.readings).toStrictEqual(readings);
  });

  it('one payload yields the event and the telemetry', () => {
    const messages = ok(
      decode('hallway/pir', { occupancy: true, battery: 77, linkquality: 90, illuminance: 12 }),
    );
    expect(messages.map((m) => m.channel)).toStrictEqual(['event', 'telemetry']);
    expect(messages[0]?.event).toStrictEqual({ name: 'motion' });
    expect(messages[1]?.readings).toStrictEqual({ battery: 77, linkquality: 90 });
  });

  it('a field of another type maps to nothing: occupancy on a leak sensor, water_leak on a button', () => {
    expect(ok(decode('bath_leak', { occupancy: true }))).toStrictEqual([]);
    expect(ok(decode('sos_button', { water_leak: true }))).toStrictEqual([]);
    expect(ok(decode('hallway/pir', { action: 'single' }))).toStrictEqual([]);
  });

  it('null attributes (not read yet by Zigbee2MQTT) count as absent', () => {
    expect(ok(decode('bath_leak', { water_leak: null, battery: null, linkquality: null }))).toStrictEqual([]);
  });

  it('last_seen becomes the device time; an unusable last_seen is ignored', () => {
    const [m] = ok(decode('bath_leak', { water_leak: true, last_seen: '2024-05-01T08:00:00Z' }));
    expect(m?.deviceTime).toBe(RECEIVED_AT);
    const [n] = ok(decode('bath_leak', { water_leak: true, last_seen: 'disable' }));
    expect(n?.deviceTime).toBeNull();
  });
});

describe('Zigbee2MQTT bad input', () => {
  it('an unprovisioned friendly name is unknown_device', () => {
    const r = err(decode('garage_pir', { occupancy: true }));
    expect(r.code).toBe('unknown_device');
    expect(r.detail).toContain('"garage_pir"');
    expect(r.seq).toBeNull();
  });

  it('a device of another household behind this gateway is unknown_device', () => {
    expect(err(decode('neighbour_button', { action: 'single' })).code).toBe('unknown_device');
  });

  it('unknown_device is reported even when the payload is not JSON', () => {
    const r = err(decodeZigbee(GATEWAY, 'garage_pir', lookup, Buffer.from('garbage'), RECEIVED_AT));
    expect(r.code).toBe('unknown_device');
  });

  it.each([
    ['not JSON', 'occupancy=true'],
    ['a JSON array', '[{"occupancy":true}]'],
    ['a JSON number', '1'],
  ])('%s is invalid_json', (_name, text) => {
    const r = err(decodeZigbee(GATEWAY, 'hallway/pir', lookup, Buffer.from(text), RECEIVED_AT));
    expect(r.code).toBe('invalid_json');
  });

  it('16 KiB + 1 is too_large', () => {
    const r = err(
      decodeZigbee(GATEWAY, 'hallway/pir', lookup, Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20), RECEIVED_AT),
    );
    expect(r.code).toBe('too_large');
  });

  it.each([
    [{ occupancy: 'yes' }, 'occupancy: must be true or false'],
    [{ water_leak: 1 }, 'water_leak: must be true or false'],
    [{ battery: 150 }, 'battery: must be a number 0–100'],
    [{ battery_low: 'no' }, 'battery_low: must be true or false'],
    [{ tamper: 0 }, 'tamper: must be true or false'],
    [{ linkquality: 300 }, 'linkquality: must be a number 0–255'],
    [{ action: 5 }, 'action: must be a string'],
  ])('%j is invalid_payload: %s', (payload, detail) => {
    const r = err(decode('hallway/pir', payload));
    expect(r.code).toBe('invalid_payload');
    expect(r.detail).toBe(detail);
  });
});

describe('Zigbee2MQTT availability', () => {
  it.each([
    ['online', 'online'],
    ['offline', 'offline'],
    [' online\n', 'online'],
    ['{"state":"online"}', 'online'],
    ['{"state":"offline"}', 'offline'],
    ['"offline"', 'offline'],
    // a Mosquitto bridge's connection notification (notification_topic, or its $SYS default mapped there)
    ['1', 'online'],
    ['0', 'offline'],
  ])('bridge/state %j is %s', (text, state) => {
    expect(decodeBridgeState(Buffer.from(text))).toStrictEqual({ ok: true, state });
  });

  it.each([
    ['maybe', 'invalid_json'],
    ['{"state":"up"}', 'invalid_payload'],
    ['{}', 'invalid_payload'],
    ['[]', 'invalid_payload'],
    ['42', 'invalid_payload'],
    ['2', 'invalid_payload'],
  ])('bridge/state %j is %s', (text, code) => {
    const r = decodeBridgeState(Buffer.from(text));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.code).toBe(code);
  });

  it('an oversized bridge/state is too_large', () => {
    const r = decodeBridgeState(Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20));
    expect(r.ok ? 'ok' : r.code).toBe('too_large');
  });

  it('a device availability topic becomes the device status, in both forms', () => {
    const plain = ok(
      decodeZigbeeAvailability(GATEWAY, 'bath_leak', lookup, Buffer.from('offline'), RECEIVED_AT),
    );
    expect(plain).toHaveLength(1);
    expect(plain[0]?.channel).toBe('status');
    expect(plain[0]?.status).toBe('offline');
    expect(plain[0]?.deviceId).toBe('z-leak');
    const js = ok(
      decodeZigbeeAvailability(GATEWAY, 'bath_leak', lookup, json({ state: 'online' }), RECEIVED_AT),
    );
    expect(js[0]?.status).toBe('online');
    expect(
      err(decodeZigbeeAvailability(GATEWAY, 'nobody', lookup, Buffer.from('online'), RECEIVED_AT)).code,
    ).toBe('unknown_device');
  });
});

describe('gateway subtopics', () => {
  it.each([
    ['bridge/state', { kind: 'bridge_state' }],
    ['bridge/devices', { kind: 'bridge', name: 'devices' }],
    ['bridge/response/device/rename', { kind: 'bridge', name: 'response/device/rename' }],
    ['bath_leak', { kind: 'device', friendlyName: 'bath_leak' }],
    ['hallway/pir', { kind: 'device', friendlyName: 'hallway/pir' }],
    ['hallway/pir/availability', { kind: 'availability', friendlyName: 'hallway/pir' }],
    ['bath_leak/set', { kind: 'request', friendlyName: 'bath_leak', verb: 'set' }],
    ['bath_leak/get', { kind: 'request', friendlyName: 'bath_leak', verb: 'get' }],
    ['', { kind: 'invalid' }],
    ['a//b', { kind: 'invalid' }],
  ])('%j → %j', (subtopic, expected) => {
    expect(classifyGatewaySubtopic(subtopic)).toStrictEqual(expected);
  });
});
