import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { until } from '../simulators/device.ts';
import { apiClient } from './helpers/api.ts';
import { connectDevice, messagesOf } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

describe('bad input: quarantined with its reason, answered with a code, counted, never stored as good', () => {
  let t: TestHub;
  beforeEach(async () => {
    t = await startTestHub();
  });
  afterEach(() => t.stop());

  const cases: Array<{
    name: string;
    channel: 'event' | 'telemetry';
    payload: string;
    code: string;
    detail: RegExp;
  }> = [
    { name: 'not JSON', channel: 'event', payload: '{"event":"sos",', code: 'invalid_json', detail: /JSON/i },
    { name: 'a JSON array', channel: 'telemetry', payload: '[1,2]', code: 'invalid_json', detail: /object/i },
    {
      name: 'over 16 KiB',
      channel: 'telemetry',
      payload: JSON.stringify({ pad: 'x'.repeat(16 * 1024) }),
      code: 'too_large',
      detail: /16384/,
    },
    {
      name: 'an event without seq',
      channel: 'event',
      payload: '{"event":"sos"}',
      code: 'invalid_payload',
      detail: /seq/,
    },
    {
      name: 'a seq above 2^53 (not a safe integer: no duplicate protection)',
      channel: 'event',
      payload: '{"event":"sos","seq":9007199254740993}',
      code: 'invalid_payload',
      detail: /seq/,
    },
    {
      name: 'a battery out of range',
      channel: 'telemetry',
      payload: '{"battery":140}',
      code: 'invalid_payload',
      detail: /battery/,
    },
    {
      name: 'an event the type does not have',
      channel: 'event',
      payload: '{"event":"fall","seq":3}',
      code: 'unknown_event',
      detail: /fall/,
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.code}`, async () => {
      const button = await connectDevice(t, 'btn-bad', 'button');
      await button.raw(c.channel, c.payload, 1);
      // The PUBACK came back: the quarantine entry is on disk already.
      const [entry] = await t.hub.ingest.store.listQuarantine({ deviceId: 'btn-bad', limit: 10 });
      expect(entry).toMatchObject({
        clientId: 'btn-bad',
        deviceId: 'btn-bad',
        code: c.code,
        topic: `eldercare/v1/btn-bad/${c.channel}`,
      });
      expect(entry?.detail).toMatch(c.detail);
      expect(entry?.size).toBe(Buffer.byteLength(c.payload));
      await until(() => button.errors.length > 0, 3000, 'error answer');
      expect(button.errors[0]?.code).toBe(c.code);
      expect((await messagesOf(t, 'btn-bad')).filter((m) => m.channel !== 'status')).toEqual([]);
      expect(t.hub.metrics.value('hub_ingest_rejected_total', { code: c.code })).toBe(1);
      expect(button.client.connected).toBe(true); // bad input alone does not disconnect
      await button.end();
    });
  }

  it('counts faults per device and flags a device that keeps sending bad input', async () => {
    const flagged: string[] = [];
    t.hub.bus.on('deviceFaulty', 'test', (e) => {
      flagged.push(e.deviceId);
    });
    const leak = await connectDevice(t, 'leak-bad', 'leak');
    for (let i = 0; i < 20; i++) await leak.raw('event', `garbage ${i}`, 1);
    await until(() => flagged.length > 0, 3000, 'faulty flag');
    expect(flagged).toEqual(['leak-bad']);
    const [entry] = await t.hub.ingest.store.listQuarantine({ deviceId: 'leak-bad', limit: 1 });
    expect(entry?.payload).toBe('garbage 19'); // newest first
    await leak.end();
  });

  it('refuses excess QoS 0 telemetry with rate_limited but never an event', async () => {
    const band = await connectDevice(t, 'wb-flood', 'wristband');
    const sends: Array<Promise<unknown>> = [];
    for (let i = 0; i < 80; i++) sends.push(band.telemetry({ heartRate: 70 }, 0));
    await Promise.all(sends);
    const limited = async () =>
      (await t.hub.ingest.store.listQuarantine({ deviceId: 'wb-flood', limit: 100 })).filter(
        (q) => q.code === 'rate_limited',
      ).length;
    const storedTelemetry = async () =>
      (await messagesOf(t, 'wb-flood')).filter((m) => m.channel === 'telemetry').length;
    // every one either stored or quarantined
    await until(
      async () => (await storedTelemetry()) + (await limited()) === 80,
      3000,
      'all 80 stored or quarantined',
    );
    expect(await limited()).toBeGreaterThan(0);
    for (let i = 0; i < 60; i++) await band.event('worn');
    expect((await messagesOf(t, 'wb-flood')).filter((m) => m.channel === 'event')).toHaveLength(60);
    await band.end();
  });

  it('lists the quarantine for operators at GET /api/quarantine, newest first, filterable by device', async () => {
    const api = apiClient(t.httpUrl);
    const a = await connectDevice(t, 'btn-qa', 'button');
    const b = await connectDevice(t, 'btn-qb', 'button');
    await a.raw('event', 'first', 1);
    await b.raw('event', '{"event":"sos"}', 1);
    await a.raw('telemetry', '{"battery":"full"}', 1);
    const admin = await t.login();
    const all = await api('GET', '/api/quarantine', { token: admin });
    expect(all.status).toBe(200);
    const entries = all.body as Array<{ clientId: string; code: string; payload: string }>;
    expect(entries.map((e) => [e.clientId, e.code])).toEqual([
      ['btn-qa', 'invalid_payload'],
      ['btn-qb', 'invalid_payload'],
      ['btn-qa', 'invalid_json'],
    ]);
    const onlyA = await api('GET', '/api/quarantine?device=btn-qa&limit=1', { token: admin });
    expect((onlyA.body as Array<{ payload: string }>).map((e) => e.payload)).toEqual(['{"battery":"full"}']);

    // A family member is not an operator.
    await api('POST', '/api/users', {
      token: admin,
      body: { username: 'fam-q', role: 'family', password: 'family-password', households: ['hh-test'] },
    });
    const family = await t.login('fam-q', 'family-password');
    expect((await api('GET', '/api/quarantine', { token: family })).status).toBe(403);
    expect((await api('GET', '/api/quarantine')).status).toBe(401);
    await a.end();
    await b.end();
  });
});
