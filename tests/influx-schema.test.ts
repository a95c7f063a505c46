import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../ingest/backoff.ts';
import type { CanonicalMessage } from '../ingest/canonical.ts';
import { pointTime, toLine } from '../ingest/influx-schema.ts';
import { apiForVersion } from '../ingest/influx-transport.ts';
import { asDeviceId, asHouseholdId } from '../kernel/ids.ts';

const at = Date.parse('2026-11-28T08:00:00.123Z');

function message(overrides: Partial<CanonicalMessage>): string {
  const m: CanonicalMessage = {
    deviceId: asDeviceId('wb-1'),
    householdId: asHouseholdId('hh-1'),
    deviceType: 'wristband',
    room: 'bedroom',
    channel: 'telemetry',
    event: null,
    readings: null,
    status: null,
    deviceTime: null,
    receivedAt: at,
    seq: null,
    source: 'native',
    gatewayId: null,
    friendlyName: null,
    ...overrides,
  };
  return JSON.stringify(m);
}

describe('InfluxDB schema', () => {
  it('maps each channel to its measurement with fixed tags and typed fields', () => {
    const event = toLine(
      41,
      message({ channel: 'event', event: { name: 'fall', confidence: 0.9 }, seq: 7, deviceTime: at - 5 }),
    );
    expect(event).toBe(
      'event,device=wb-1,event=fall,household=hh-1,room=bedroom,type=wristband ' +
        `confidence=0.9,device_time=${at - 5}i,msg_id=41i,seq=7i 1795852800123000041`,
    );
    // Numbers are floats even when whole (steps), so a field never changes type.
    expect(toLine(42, message({ readings: { heartRate: 72, steps: 1200, tamper: true } }))).toBe(
      'telemetry,device=wb-1,household=hh-1,room=bedroom,type=wristband ' +
        'heart_rate=72,msg_id=42i,steps=1200,tamper=T 1795852800123000042',
    );
    // A device without a room has no room tag; state is a string field.
    expect(
      toLine(43, message({ channel: 'status', status: 'offline', room: null, deviceType: 'motion' })),
    ).toBe('status,device=wb-1,household=hh-1,type=motion msg_id=43i,state="offline" 1795852800123000043');
    expect(toLine(44, message({ readings: { usageLiters: 3.5, meterFault: 'register_backwards' } }))).toMatch(
      / meter_fault="register_backwards",msg_id=44i,usage_liters=3.5 /,
    );
  });

  it('gives two messages of the same millisecond distinct, repeatable timestamps in that millisecond', () => {
    expect(pointTime(1_000_001, at)).toBe('1795852800123000001');
    expect(pointTime(1_000_002, at)).toBe('1795852800123000002');
    expect(pointTime(1_000_002, at)).toBe(pointTime(1_000_002, at));
    expect(BigInt(pointTime(999_999, at)) / 1_000_000n).toBe(BigInt(at));
  });

  it('refuses a message no point can be made of', () => {
    expect(() => toLine(1, message({ channel: 'event', event: null }))).toThrow(/without an event/);
    expect(() => toLine(1, '{not json')).toThrow();
  });

  it('reads Retry-After as seconds or an HTTP date, and server versions as write APIs', () => {
    expect(retryAfterMs('30', 0)).toBe(30_000);
    expect(retryAfterMs('Sat, 28 Nov 2026 08:00:10 GMT', Date.parse('2026-11-28T08:00:00Z'))).toBe(10_000);
    expect(retryAfterMs('soon', 0)).toBeNull();
    expect(retryAfterMs(undefined, 0)).toBeNull();
    expect(apiForVersion('1.6.7~rc0')).toBe('v1');
    expect(apiForVersion('1.7.11')).toBe('v1');
    expect(apiForVersion('1.8.10')).toBe('v2');
    expect(apiForVersion('v2.7.4')).toBe('v2');
    expect(apiForVersion('3.0.1')).toBe('v2');
  });
});
