import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isHubToDeviceTopic, mayPublish, mayReceive, maySubscribe } from '../broker/acl.ts';
import { FixedHeaderScanner } from '../broker/packet-guard.ts';
import { type SecretUpgrade, VerifiedSecrets } from '../broker/verified-secrets.ts';
import { ManualClock } from '../kernel/clock.ts';
import { DeviceSecretHasher } from '../kernel/device-secrets.ts';
import { hashSecret } from '../kernel/secrets.ts';
import { KeyedTokenBucket, perMinute } from '../kernel/token-bucket.ts';
import { publishHeader, remainingLength } from './helpers/broker-raw.ts';

const device = { id: 'btn-1', kind: 'device' } as const;
const gateway = { id: 'gw-1', kind: 'gateway' } as const;

describe('topic rules (device-protocol.md "Topics")', () => {
  it.each([
    ['eldercare/v1/btn-1/event', true],
    ['eldercare/v1/btn-1/telemetry', true],
    ['eldercare/v1/btn-1/status', true],
    ['eldercare/v1/btn-1/command', false],
    ['eldercare/v1/btn-1/error', false],
    ['eldercare/v1/btn-2/event', false],
    ['eldercare/v1/btn-1/event/extra', false],
    ['eldercare/v1/btn-1', false],
    ['eldercare/v1/gw/btn-1/x', false],
    ['$SYS/broker/x', false],
  ])('a device may publish to %s: %s', (topic, allowed) => {
    expect(mayPublish(device, topic).allowed).toBe(allowed);
  });

  it.each([
    ['eldercare/v1/gw/gw-1/kitchen_leak', true],
    ['eldercare/v1/gw/gw-1/bridge/state', true],
    ['eldercare/v1/gw/gw-1/bridge/response/device/ota_update/check', true],
    ['eldercare/v1/gw/gw-1/living/motion/availability', true],
    ['eldercare/v1/gw/gw-1', false],
    ['eldercare/v1/gw/gw-1/', false],
    ['eldercare/v1/gw/gw-1//x', false],
    ['eldercare/v1/gw/gw-10/x', false],
    ['eldercare/v1/gw/gw-2/x', false],
    ['eldercare/v1/gw-1/event', false],
    ['eldercare/v1/gw/gw-1/a/b/c/d/e/f', true],
    ['eldercare/v1/gw/gw-1/a/b/c/d/e/f/g', false],
  ])('a gateway may publish to %s: %s', (topic, allowed) => {
    expect(mayPublish(gateway, topic).allowed).toBe(allowed);
  });

  it('names the channel an accepted publish counts under', () => {
    expect(mayPublish(device, 'eldercare/v1/btn-1/event')).toEqual({ allowed: true, channel: 'event' });
    expect(mayPublish(gateway, 'eldercare/v1/gw/gw-1/x')).toEqual({ allowed: true, channel: 'gateway' });
  });

  it.each([
    [device, 'eldercare/v1/btn-1/command', true],
    [device, 'eldercare/v1/btn-1/error', true],
    [device, 'eldercare/v1/btn-1/+', false],
    [device, 'eldercare/v1/btn-1/#', false],
    [device, 'eldercare/v1/+/command', false],
    [device, 'eldercare/v1/btn-2/command', false],
    [device, '#', false],
    [gateway, 'eldercare/v1/gw/gw-1/#', true],
    [gateway, 'eldercare/v1/gw/gw-1/+/set', true],
    [gateway, 'eldercare/v1/gw-1/command', true],
    [gateway, 'eldercare/v1/gw/+/#', false],
    [gateway, 'eldercare/v1/gw/#', false],
    [gateway, 'eldercare/v1/gw/gw-2/#', false],
  ] as const)('%o may subscribe to %s: %s', (who, filter, allowed) => {
    expect(maySubscribe(who, filter).allowed).toBe(allowed);
  });

  it('delivers to a client only its own topics, and lets the hub publish only to device-bound ones', () => {
    expect(mayReceive(device, 'eldercare/v1/btn-1/command')).toBe(true);
    expect(mayReceive(device, 'eldercare/v1/btn-2/command')).toBe(false);
    expect(mayReceive(gateway, 'eldercare/v1/gw/gw-1/lamp/set')).toBe(true);
    expect(isHubToDeviceTopic('eldercare/v1/btn-1/command')).toBe(true);
    expect(isHubToDeviceTopic('eldercare/v1/btn-1/error')).toBe(true);
    expect(isHubToDeviceTopic('eldercare/v1/gw/gw-1/lamp/set')).toBe(true);
    expect(isHubToDeviceTopic('eldercare/v1/btn-1/event')).toBe(false);
    expect(isHubToDeviceTopic('eldercare/v1/+/command')).toBe(false);
  });
});

describe('fixed-header scanner', () => {
  const pingreq = Buffer.from([0xc0, 0x00]);

  it('follows packets across chunk boundaries and flags the first one over the limit by its header alone', () => {
    const scanner = new FixedHeaderScanner(1024);
    const small = Buffer.concat([publishHeader(500), Buffer.alloc(500)]);
    const stream = Buffer.concat([small, pingreq, small, publishHeader(2000)]);
    // Byte by byte: the worst split a network can produce.
    const results = [...stream].map((byte) => scanner.scan(Buffer.from([byte])));
    expect(results.slice(0, -1).every((r) => r === null)).toBe(true);
    expect(results.at(-1)).toEqual({ kind: 'packet_too_large', declaredBytes: 2003, limitBytes: 1024 });
  });

  it('accepts a packet of exactly the limit and refuses a Remaining Length longer than four bytes', () => {
    expect(
      new FixedHeaderScanner(1024).scan(Buffer.concat([publishHeader(1021), Buffer.alloc(1021)])),
    ).toBeNull();
    expect(new FixedHeaderScanner(1024).scan(publishHeader(1022))?.kind).toBe('packet_too_large');
    expect(
      new FixedHeaderScanner(1 << 30).scan(Buffer.from([0x30, 0xff, 0xff, 0xff, 0xff, 0x01]))?.kind,
    ).toBe('malformed_length');
    expect(remainingLength(268_435_455)).toEqual(Buffer.from([0xff, 0xff, 0xff, 0x7f]));
  });
});

describe('keyed token bucket', () => {
  it('allows a burst of perMinute, then refills at perMinute per minute, per key', () => {
    const clock = new ManualClock();
    const bucket = new KeyedTokenBucket({ ...perMinute(3), clock });
    expect([1, 2, 3, 4].map(() => bucket.take('a'))).toEqual([true, true, true, false]);
    expect(bucket.take('b')).toBe(true);
    clock.advance(20_000);
    expect([bucket.take('a'), bucket.take('a')]).toEqual([true, false]);
  });

  it('forgets the least recently used keys past its bound', () => {
    const bucket = new KeyedTokenBucket({ ...perMinute(1), clock: new ManualClock(), maxKeys: 2 });
    bucket.take('a');
    bucket.take('b');
    bucket.take('c');
    expect(bucket.size).toBe(2);
    expect(bucket.take('a')).toBe(true); // forgotten, so full again
    expect(bucket.take('c')).toBe(false);
  });
});

describe('device secret verification', () => {
  const hasher = new DeviceSecretHasher(randomBytes(32));

  it('verifies the keyed hash inline, bound to the id, and refuses a hash made under another key', async () => {
    const upgrades: SecretUpgrade[] = [];
    const verifier = new VerifiedSecrets(hasher, (u) => upgrades.push(u));
    const identity = { id: 'btn-1', kind: 'device', householdId: 'hh', enabled: true } as const;
    const fast = { ...identity, secretHash: hasher.hash('btn-1', 's3cret') };
    expect(await verifier.verify(fast, Buffer.from('s3cret'))).toMatchObject({ ok: true, scheme: 'hmac' });
    expect((await verifier.verify(fast, Buffer.from('other'))).ok).toBe(false);
    // the same secret under another id, or another hub's key, does not verify
    expect((await verifier.verify({ ...fast, id: 'btn-2' }, Buffer.from('s3cret'))).ok).toBe(false);
    const foreign = new DeviceSecretHasher(randomBytes(32)).hash('btn-1', 's3cret');
    expect((await verifier.verify({ ...identity, secretHash: foreign }, Buffer.from('s3cret'))).ok).toBe(
      false,
    );
    expect(upgrades).toEqual([]);
  });

  it('verifies a legacy scrypt hash once and hands on its fast replacement; a rotated hash refuses the old secret', async () => {
    const upgrades: SecretUpgrade[] = [];
    const verifier = new VerifiedSecrets(hasher, (u) => upgrades.push(u));
    const legacy = {
      id: 'btn-1',
      kind: 'device',
      householdId: 'hh',
      secretHash: await hashSecret('s3cret'),
      enabled: true,
    } as const;
    const result = await verifier.verify(legacy, Buffer.from('s3cret'));
    expect(result).toMatchObject({ ok: true, scheme: 'scrypt' });
    expect(upgrades).toEqual([
      { id: 'btn-1', kind: 'device', from: legacy.secretHash, to: result.secretHash },
    ]);
    expect(hasher.verify('btn-1', 's3cret', result.secretHash)).toBe(true);
    expect((await verifier.verify(legacy, Buffer.from('other'))).ok).toBe(false);

    const rotated = { ...legacy, secretHash: await hashSecret('new') };
    expect((await verifier.verify(rotated, Buffer.from('s3cret'))).ok).toBe(false);
    verifier.forget('btn-1');
    expect(verifier.size).toBe(0);
  });
});
