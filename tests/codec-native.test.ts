import { describe, expect, it } from 'vitest';
import type { CanonicalMessage, DecodeResult } from '../ingest/canonical.ts';
import { allowedEvents, decodeNative, parseDeviceTime } from '../ingest/decode.ts';
import { MAX_PAYLOAD_BYTES } from '../kernel/contract.ts';
import type { Device } from '../kernel/registry/types.ts';

const RECEIVED_AT = 1_714_550_400_000; // 2024-05-01T08:00:00Z, hub clock

function device(type: Device['type'], room: Device['room'] = null): Device {
  return {
    id: `dev-${type}`,
    householdId: 'hh-1',
    type,
    room,
    residentId: null,
    gatewayId: null,
    friendlyName: null,
    sosActions: null,
    enabled: true,
  };
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

function decodeOk(d: Device, channel: string, value: unknown): CanonicalMessage {
  const result = decodeNative(d, channel, json(value), RECEIVED_AT);
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.detail}`);
  expect(result.messages).toHaveLength(1);
  const [message] = result.messages;
  if (!message) throw new Error('no message');
  return message;
}

function decodeErr(result: DecodeResult) {
  if (result.ok) throw new Error(`expected a rejection, got ${JSON.stringify(result.messages)}`);
  return result;
}

describe('native payloads from the protocol decode to canonical messages', () => {
  it('button: sos is an event with its seq, the device identity and the hub receive time', () => {
    const m = decodeOk(device('button', 'bedroom'), 'event', { event: 'sos', seq: 41 });
    expect(m).toStrictEqual({
      deviceId: 'dev-button',
      householdId: 'hh-1',
      deviceType: 'button',
      room: 'bedroom',
      channel: 'event',
      event: { name: 'sos' },
      readings: null,
      status: null,
      deviceTime: null,
      receivedAt: RECEIVED_AT,
      seq: 41,
      source: 'native',
      gatewayId: null,
      friendlyName: null,
    });
  });

  it('button: cancel event and the battery heartbeat', () => {
    expect(decodeOk(device('button'), 'event', { event: 'cancel', seq: 0 }).event).toStrictEqual({
      name: 'cancel',
    });
    const hb = decodeOk(device('button'), 'telemetry', { battery: 87 });
    expect(hb.channel).toBe('telemetry');
    expect(hb.readings).toStrictEqual({ battery: 87 });
    expect(hb.event).toBeNull();
    expect(hb.seq).toBeNull();
  });

  it('wristband: sos, fall with confidence, removed, worn', () => {
    const w = device('wristband');
    expect(decodeOk(w, 'event', { event: 'sos', seq: 1 }).event).toStrictEqual({ name: 'sos' });
    expect(decodeOk(w, 'event', { event: 'fall', confidence: 0.93, seq: 2 }).event).toStrictEqual({
      name: 'fall',
      confidence: 0.93,
    });
    expect(decodeOk(w, 'event', { event: 'removed', seq: 3 }).event).toStrictEqual({ name: 'removed' });
    expect(decodeOk(w, 'event', { event: 'worn', seq: 4 }).event).toStrictEqual({ name: 'worn' });
  });

  it('wristband: the full telemetry example keeps every measurement', () => {
    const payload = {
      heartRate: 72,
      spo2: 97,
      steps: 1234,
      battery: 60,
      lat: 35.41,
      lon: 116.58,
      accuracy: 15,
    };
    expect(decodeOk(device('wristband'), 'telemetry', payload).readings).toStrictEqual(payload);
    expect(decodeOk(device('wristband'), 'telemetry', {}).readings).toStrictEqual({});
  });

  it('motion: motion and clear events carry the provisioned room; battery and tamper telemetry', () => {
    const pir = device('motion', 'bathroom');
    const m = decodeOk(pir, 'event', { event: 'motion', seq: 7 });
    expect(m.event).toStrictEqual({ name: 'motion' });
    expect(m.room).toBe('bathroom');
    expect(decodeOk(pir, 'event', { event: 'clear', seq: 8 }).event).toStrictEqual({ name: 'clear' });
    expect(decodeOk(pir, 'telemetry', { battery: 90 }).readings).toStrictEqual({ battery: 90 });
    expect(decodeOk(pir, 'telemetry', { tamper: true }).readings).toStrictEqual({ tamper: true });
  });

  it('motion: a room in the payload does not override the provisioned one', () => {
    const m = decodeOk(device('motion', 'kitchen'), 'event', { event: 'motion', seq: 1, room: 'bedroom' });
    expect(m.room).toBe('kitchen');
  });

  it('leak: leak and dry events, battery heartbeat', () => {
    const l = device('leak', 'bathroom');
    expect(decodeOk(l, 'event', { event: 'leak', seq: 1 }).event).toStrictEqual({ name: 'leak' });
    expect(decodeOk(l, 'event', { event: 'dry', seq: 2 }).event).toStrictEqual({ name: 'dry' });
    expect(decodeOk(l, 'telemetry', { battery: 95 }).readings).toStrictEqual({ battery: 95 });
  });

  it('water_meter: register and flow telemetry, continuous_flow with minutes', () => {
    const w = device('water_meter', 'kitchen');
    expect(decodeOk(w, 'telemetry', { totalLiters: 123456.7, flowLpm: 0.0 }).readings).toStrictEqual({
      totalLiters: 123456.7,
      flowLpm: 0,
    });
    expect(decodeOk(w, 'event', { event: 'continuous_flow', minutes: 180, seq: 5 }).event).toStrictEqual({
      name: 'continuous_flow',
      minutes: 180,
    });
  });

  it('status online and offline (the Last Will), for every type', () => {
    for (const type of ['button', 'wristband', 'motion', 'leak', 'water_meter'] as const) {
      const on = decodeOk(device(type), 'status', { state: 'online' });
      expect(on.channel).toBe('status');
      expect(on.status).toBe('online');
      expect(on.event).toBeNull();
      expect(on.readings).toBeNull();
      expect(decodeOk(device(type), 'status', { state: 'offline' }).status).toBe('offline');
    }
  });

  it('optional seq on telemetry is kept; rssi is a reading of every type', () => {
    const m = decodeOk(device('leak'), 'telemetry', { battery: 95, rssi: -71, seq: 12 });
    expect(m.seq).toBe(12);
    expect(m.readings).toStrictEqual({ battery: 95, rssi: -71 });
  });
});

describe('fields the protocol does not name are tolerated but never stored as known', () => {
  it('a leak sensor sending heartRate stores only its battery', () => {
    const m = decodeOk(device('leak'), 'telemetry', { battery: 95, heartRate: 72, firmware: '1.2.3' });
    expect(m.readings).toStrictEqual({ battery: 95 });
  });

  it('a button sending confidence or minutes on an event does not get them', () => {
    const m = decodeOk(device('button'), 'event', {
      event: 'sos',
      seq: 1,
      confidence: 0.5,
      minutes: 3,
      x: 1,
    });
    expect(m.event).toStrictEqual({ name: 'sos' });
  });

  it('a wristband sending totalLiters stores no meter reading', () => {
    const m = decodeOk(device('wristband'), 'telemetry', { heartRate: 80, totalLiters: 5 });
    expect(m.readings).toStrictEqual({ heartRate: 80 });
  });
});

describe('ts: ISO 8601 string or epoch ms', () => {
  it('ISO with Z, with an offset, without a zone (read as UTC), and epoch ms', () => {
    const b = device('button');
    const at = (ts: unknown) => decodeOk(b, 'event', { event: 'sos', seq: 1, ts }).deviceTime;
    expect(at('2024-05-01T08:00:00Z')).toBe(RECEIVED_AT);
    expect(at('2024-05-01T16:00:00+08:00')).toBe(RECEIVED_AT);
    expect(at('2024-05-01T08:00:00.250Z')).toBe(RECEIVED_AT + 250);
    expect(at('2024-05-01T08:00:00')).toBe(RECEIVED_AT);
    expect(at(RECEIVED_AT)).toBe(RECEIVED_AT);
    expect(at(0)).toBe(0);
  });

  it('the hub receive time is recorded next to the device time, not replaced by it', () => {
    const m = decodeOk(device('button'), 'event', { event: 'sos', seq: 1, ts: '2020-01-01T00:00:00Z' });
    expect(m.deviceTime).toBe(Date.UTC(2020, 0, 1));
    expect(m.receivedAt).toBe(RECEIVED_AT);
  });

  it.each([
    ['yesterday'],
    ['2024-13-01T00:00:00Z'],
    ['2023-02-29T00:00:00Z'],
    ['2024-05-01T25:00:00Z'],
    ['2024-05-01T08:00:00+25:00'],
    ['1969-12-31T23:59:59Z'],
    ['1714550400000'],
    [-1],
    [true],
    [null],
  ])('ts %j is invalid_payload naming ts', (ts) => {
    const r = decodeErr(
      decodeNative(device('button'), 'event', json({ event: 'sos', seq: 9, ts }), RECEIVED_AT),
    );
    expect(r.code).toBe('invalid_payload');
    expect(r.detail).toMatch(/^ts: /);
    expect(r.seq).toBe(9);
  });

  it('parseDeviceTime: forms and calendar rules', () => {
    expect(parseDeviceTime(undefined)).toBeNull();
    expect(parseDeviceTime('2024-05-01')).toBe(Date.UTC(2024, 4, 1));
    expect(parseDeviceTime('20240501T080000Z')).toBe(RECEIVED_AT);
    expect(parseDeviceTime('2024-05-01T08:00Z')).toBe(RECEIVED_AT);
    expect(parseDeviceTime('2024-05-01 08:00:00z')).toBe(RECEIVED_AT);
    expect(parseDeviceTime('2024-05-01T10:30:00+0230')).toBe(RECEIVED_AT);
    expect(parseDeviceTime('2024-05-01T03:00:00-05')).toBe(RECEIVED_AT);
    expect(parseDeviceTime('2024-05-01T08:00:00,5Z')).toBe(RECEIVED_AT + 500);
    expect(parseDeviceTime('2024-02-29T00:00:00Z')).toBe(Date.UTC(2024, 1, 29));
    expect(parseDeviceTime('2024-04-30T24:00:00Z')).toBe(Date.UTC(2024, 4, 1));
    expect(parseDeviceTime('2024-04-31T00:00:00Z')).toBeNull();
    expect(parseDeviceTime('2024-04-30T24:00:01Z')).toBeNull();
    expect(parseDeviceTime('0099-01-01T00:00:00Z')).toBeNull();
    expect(parseDeviceTime(1.9)).toBe(1);
    expect(parseDeviceTime(Number.POSITIVE_INFINITY)).toBeNull();
    expect(parseDeviceTime(9e15)).toBeNull();
  });
});

describe('bad input is answered with the protocol code and a detail naming the field', () => {
  it.each([
    ['not json', 'sos please'],
    ['truncated JSON', '{"event":"sos","seq":'],
    ['a JSON array', '[{"event":"sos","seq":1}]'],
    ['a JSON number', '42'],
    ['a JSON string', '"sos"'],
    ['JSON null', 'null'],
    ['empty', ''],
  ])('%s is invalid_json', (_name, text) => {
    const r = decodeErr(decodeNative(device('button'), 'event', Buffer.from(text), RECEIVED_AT));
    expect(r.code).toBe('invalid_json');
    expect(r.detail).toMatch(/^payload: /);
    expect(r.seq).toBeNull();
  });

  it('bytes that are not UTF-8 are invalid_json, not repaired', () => {
    const bad = Buffer.concat([
      Buffer.from('{"event":"sos","seq":1,"note":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const r = decodeErr(decodeNative(device('button'), 'event', bad, RECEIVED_AT));
    expect(r.code).toBe('invalid_json');
    expect(r.detail).toBe('payload: not valid UTF-8');
  });

  it('16 KiB is accepted, 16 KiB + 1 byte is too_large', () => {
    const padded = (size: number) => {
      const head = '{"battery":50,"pad":"';
      const tail = '"}';
      return Buffer.from(head + 'x'.repeat(size - head.length - tail.length) + tail);
    };
    const exact = padded(MAX_PAYLOAD_BYTES);
    expect(exact.byteLength).toBe(16 * 1024);
    const ok = decodeNative(device('button'), 'telemetry', exact, RECEIVED_AT);
    expect(ok.ok).toBe(true);

    const over = padded(MAX_PAYLOAD_BYTES + 1);
    const r = decodeErr(decodeNative(device('button'), 'telemetry', over, RECEIVED_AT));
    expect(r.code).toBe('too_large');
    expect(r.detail).toContain(String(MAX_PAYLOAD_BYTES));
  });

  it('too_large is decided before parsing: an oversized non-JSON payload is too_large', () => {
    const r = decodeErr(
      decodeNative(device('button'), 'event', Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x7b), RECEIVED_AT),
    );
    expect(r.code).toBe('too_large');
  });

  it('an event without seq is invalid_payload naming seq', () => {
    const r = decodeErr(decodeNative(device('button'), 'event', json({ event: 'sos' }), RECEIVED_AT));
    expect(r.code).toBe('invalid_payload');
    expect(r.detail).toBe('seq: required, must be an integer ≥ 0 and at most 2^53 − 1');
    expect(r.seq).toBeNull();
  });

  it.each([[-1], [1.5], ['3'], [null]])('seq %j on an event is invalid_payload', (seq) => {
    const r = decodeErr(decodeNative(device('wristband'), 'event', json({ event: 'sos', seq }), RECEIVED_AT));
    expect(r.code).toBe('invalid_payload');
    expect(r.detail).toBe('seq: must be an integer ≥ 0 and at most 2^53 − 1');
    expect(r.seq).toBeNull();
  });

  it('a bad seq on telemetry is invalid_payload too (optional, but typed when present)', () => {
    const r = decodeErr(
      decodeNative(device('leak'), 'telemetry', json({ battery: 90, seq: -3 }), RECEIVED_AT),
    );
    expect(r.detail).toMatch(/^seq: /);
  });

  const ranges: [Device['type'], string, Record<string, unknown>, string][] = [
    ['button', 'telemetry', { battery: 101 }, 'battery: must be a number 0–100'],
    ['button', 'telemetry', { battery: -1 }, 'battery: must be a number 0–100'],
    ['button', 'telemetry', { battery: '87' }, 'battery: must be a number 0–100'],
    ['button', 'telemetry', { rssi: 'weak' }, 'rssi: must be a number'],
    ['wristband', 'telemetry', { spo2: 101 }, 'spo2: must be a number 0–100'],
    ['wristband', 'telemetry', { heartRate: 301 }, 'heartRate: must be a number 0–300'],
    ['wristband', 'telemetry', { heartRate: -5 }, 'heartRate: must be a number 0–300'],
    ['wristband', 'telemetry', { steps: 12.5 }, 'steps: must be an integer ≥ 0'],
    ['wristband', 'telemetry', { lat: 90.5 }, 'lat: must be a number −90–90'],
    ['wristband', 'telemetry', { lon: -181 }, 'lon: must be a number −180–180'],
    ['wristband', 'telemetry', { accuracy: -1 }, 'accuracy: must be a number ≥ 0'],
    ['wristband', 'event', { event: 'fall', seq: 1, confidence: 1.5 }, 'confidence: must be a number 0–1'],
    ['wristband', 'event', { event: 'fall', seq: 1, confidence: '0.9' }, 'confidence: must be a number 0–1'],
    ['motion', 'telemetry', { tamper: 'yes' }, 'tamper: must be true or false'],
    ['water_meter', 'telemetry', { totalLiters: -0.1 }, 'totalLiters: must be a number ≥ 0'],
    ['water_meter', 'telemetry', { flowLpm: -2 }, 'flowLpm: must be a number ≥ 0'],
    [
      'water_meter',
      'event',
      { event: 'continuous_flow', seq: 1, minutes: -5 },
      'minutes: must be a number ≥ 0',
    ],
    ['leak', 'event', { event: 'leak', seq: 1, battery: 200 }, 'battery: must be a number 0–100'],
    ['button', 'event', { seq: 1 }, 'event: required, must be one of sos, cancel'],
    ['button', 'event', { event: 7, seq: 1 }, 'event: must be one of sos, cancel'],
    ['leak', 'status', { state: 'asleep' }, 'state: must be one of online, offline'],
    ['leak', 'status', {}, 'state: required, must be one of online, offline'],
  ];
  it.each(ranges)('%s %s %j → %s', (type, channel, payload, detail) => {
    const r = decodeErr(decodeNative(device(type), channel, json(payload), RECEIVED_AT));
    expect(r.code).toBe('invalid_payload');
    expect(r.detail).toBe(detail);
  });

  it('a number too large for JSON (parsed as Infinity) is out of range, not stored', () => {
    const r = decodeErr(
      decodeNative(device('button'), 'telemetry', Buffer.from('{"rssi":1e400}'), RECEIVED_AT),
    );
    expect(r.code).toBe('invalid_payload');
    expect(r.detail).toBe('rssi: must be a number');
  });

  it('fall from a button is unknown_event, with the seq and the allowed names', () => {
    const r = decodeErr(
      decodeNative(device('button'), 'event', json({ event: 'fall', seq: 3 }), RECEIVED_AT),
    );
    expect(r).toStrictEqual({
      ok: false,
      code: 'unknown_event',
      detail: 'event: "fall" is not a button event (sos, cancel)',
      seq: 3,
    });
  });

  it.each([
    ['leak', 'continuous_flow'],
    ['water_meter', 'leak'],
    ['motion', 'sos'],
    ['wristband', 'explode'],
  ] as const)('%s sending %s is unknown_event', (type, event) => {
    const r = decodeErr(decodeNative(device(type), 'event', json({ event, seq: 1 }), RECEIVED_AT));
    expect(r.code).toBe('unknown_event');
  });

  it('a very long unknown event name is cut in the detail', () => {
    const r = decodeErr(
      decodeNative(device('button'), 'event', json({ event: 'z'.repeat(5000), seq: 1 }), RECEIVED_AT),
    );
    expect(r.code).toBe('unknown_event');
    expect(r.detail.length).toBeLessThan(120);
  });

  it('a channel that is not event, telemetry or status is invalid_payload', () => {
    const r = decodeErr(decodeNative(device('button'), 'debug', json({ battery: 50, seq: 2 }), RECEIVED_AT));
    expect(r.code).toBe('invalid_payload');
    expect(r.detail).toMatch(/^channel: /);
    expect(r.seq).toBe(2);
  });
});

describe('allowed events per type', () => {
  it('matches the protocol', () => {
    expect(allowedEvents('button')).toStrictEqual(['sos', 'cancel']);
    expect(allowedEvents('wristband')).toStrictEqual(['sos', 'fall', 'removed', 'worn']);
    expect(allowedEvents('motion')).toStrictEqual(['motion', 'clear']);
    expect(allowedEvents('leak')).toStrictEqual(['leak', 'dry']);
    expect(allowedEvents('water_meter')).toStrictEqual(['continuous_flow']);
  });
});
