/**
 * The InfluxDB schema: one CanonicalMessage → one point, serialized by the client library's Point
 * (it does all line-protocol escaping). Fixed per measurement so a field never changes type.
 *
 * Measurements (one per channel): `event`, `telemetry`, `status`.
 * Tags (low cardinality, never a resident's name): `household`, `device`, `type` (device type),
 *   `room` (omitted when the device has none), and on `event` also `event` (the event's name, from the
 *   closed list of the protocol).
 * Fields, on every point: `msg_id` (integer, the hub's messages.id), `seq` (integer, when the device
 *   sent one), `device_time` (integer, epoch ms of the device's clock, when it sent one).
 *   `event`: `confidence`, `minutes` (float). `status`: `state` (string 'online' | 'offline').
 *   `telemetry`: every measured value is a float, integers such as steps included (one type for every
 *   number, so a reading that is sometimes 3 and sometimes 3.5 cannot conflict); `tamper`,
 *   `battery_low` boolean; `meter_fault` string. Names in READING_FIELDS below.
 * Time: precision ns. The point's time is the hub's receive time (epoch ms) with the message id modulo
 *   10^6 folded into the sub-millisecond digits (see pointTime).
 */
import { Point } from '@influxdata/influxdb-client';
import type { CanonicalMessage, ReadingName, Readings } from './canonical.ts';

export const MEASUREMENTS = { event: 'event', telemetry: 'telemetry', status: 'status' } as const;

/** Timestamps are written in nanoseconds. */
export const PRECISION = 'ns';

type FieldKind = 'float' | 'bool' | 'string';

/** Every reading the hub knows, with its field name and its one type. A new reading must be added here. */
export const READING_FIELDS: Record<ReadingName, { field: string; kind: FieldKind }> = {
  battery: { field: 'battery', kind: 'float' },
  rssi: { field: 'rssi', kind: 'float' },
  heartRate: { field: 'heart_rate', kind: 'float' },
  spo2: { field: 'spo2', kind: 'float' },
  steps: { field: 'steps', kind: 'float' },
  lat: { field: 'lat', kind: 'float' },
  lon: { field: 'lon', kind: 'float' },
  accuracy: { field: 'accuracy', kind: 'float' },
  totalLiters: { field: 'total_liters', kind: 'float' },
  flowLpm: { field: 'flow_lpm', kind: 'float' },
  tamper: { field: 'tamper', kind: 'bool' },
  batteryLow: { field: 'battery_low', kind: 'bool' },
  linkquality: { field: 'linkquality', kind: 'float' },
  usageLiters: { field: 'usage_liters', kind: 'float' },
  meterFault: { field: 'meter_fault', kind: 'string' },
};

/** Sub-millisecond slots: the message id modulo this fills the last six digits of a ns timestamp. */
const NS_PER_MS = 1_000_000n;

/**
 * The point's time in ns: receive time (ms) × 10^6 + (message id mod 10^6).
 *
 * InfluxDB keeps one point per series and timestamp and overwrites the older. Two events of one device
 * in the same millisecond are the same series (same tags) with the same ms, so the ms alone would lose
 * one. The message id is unique and increasing, so folding it into the sub-millisecond digits gives
 * every message its own timestamp (two messages collide only if they arrive in the same ms AND their
 * ids differ by a multiple of a million, i.e. never) while the time still reads as the receive
 * millisecond. It is derived only from the stored message, so a batch sent again after a write whose
 * answer was lost produces identical points that overwrite themselves: no duplicates. A tag (e.g. a
 * counter) would instead multiply the series and break `GROUP BY` on the real dimensions.
 */
export function pointTime(messageId: number, receivedAtMs: number): string {
  return (BigInt(receivedAtMs) * NS_PER_MS + (BigInt(messageId) % NS_PER_MS)).toString();
}

function addReadings(point: Point, readings: Readings): void {
  for (const [name, value] of Object.entries(readings) as Array<[ReadingName, unknown]>) {
    const spec = READING_FIELDS[name];
    if (!spec || value === undefined || value === null) continue;
    if (spec.kind === 'float') point.floatField(spec.field, value);
    else if (spec.kind === 'bool') point.booleanField(spec.field, value);
    else point.stringField(spec.field, value);
  }
}

/** Builds the point of a stored message; throws on a message no point can be made of. */
export function toPoint(messageId: number, m: CanonicalMessage): Point {
  const point = new Point(MEASUREMENTS[m.channel])
    .tag('household', m.householdId)
    .tag('device', m.deviceId)
    .tag('type', m.deviceType);
  if (m.room) point.tag('room', m.room);
  point.intField('msg_id', messageId);
  if (m.seq !== null) point.intField('seq', m.seq);
  if (m.deviceTime !== null) point.intField('device_time', m.deviceTime);
  if (m.channel === 'event') {
    if (!m.event) throw new Error('event message without an event');
    point.tag('event', m.event.name);
    if (m.event.confidence !== undefined) point.floatField('confidence', m.event.confidence);
    if (m.event.minutes !== undefined) point.floatField('minutes', m.event.minutes);
  } else if (m.channel === 'telemetry') {
    addReadings(point, m.readings ?? {});
  } else {
    if (!m.status) throw new Error('status message without a state');
    point.stringField('state', m.status);
  }
  return point.timestamp(pointTime(messageId, m.receivedAt));
}

/** The line protocol of a stored message (body = CanonicalMessage JSON). */
export function toLine(messageId: number, body: string): string {
  const line = toPoint(messageId, JSON.parse(body) as CanonicalMessage).toLineProtocol();
  if (!line) throw new Error('message has no fields');
  return line;
}
