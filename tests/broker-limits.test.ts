import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type IClientOptions } from 'mqtt';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { connectPacket, publishHeader, rawConnect } from './helpers/broker-raw.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { requireTool } from './helpers/tools.ts';

const hubs: TestHub[] = [];
const tempDirs: string[] = [];
afterAll(async () => {
  await Promise.all(hubs.map((t) => t.stop()));
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

async function hub(overrides: Record<string, unknown> = {}, clock?: ManualClock) {
  const t = await startTestHub(overrides, { clock });
  hubs.push(t);
  return t;
}

/** Connects and disconnects; returns the CONNACK return code (0 when accepted). */
async function connackCode(url: string, opts: IClientOptions): Promise<number> {
  try {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
    await client.endAsync(true);
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

const as = (id: string, password: string): IClientOptions => ({ clientId: id, username: id, password });

describe('packet size limit', () => {
  it('closes a connection whose PUBLISH announces more than the limit, before its body arrives', async () => {
    const t = await hub({ mqttMaxPacketBytes: 64 * 1024 });
    const handled: string[] = [];
    t.hub.broker.setPublishHandler(async (ctx) => {
      handled.push(ctx.topic);
    });
    const secret = await t.provisionDevice({ id: 'band-1', type: 'wristband' });
    const raw = await rawConnect(t.hub.broker.ports().mqtt);
    raw.socket.write(
      connectPacket({ clientId: 'band-1', username: 'band-1', password: secret, clean: true }),
    );
    expect(await raw.connack()).toBe(0);

    // 1 MiB announced; only the header and 1 KiB of it are ever sent.
    raw.socket.write(Buffer.concat([publishHeader(1024 * 1024), Buffer.alloc(1024, 0x61)]));
    expect(await raw.closed(1_000)).toBeLessThan(1_000);
    expect(handled).toEqual([]);
    const rows = await t.hub.broker.queries.securityEvents({ kind: 'packet_too_large' });
    expect(rows.map(({ clientId, detail }) => ({ clientId, detail }))).toEqual([
      { clientId: 'band-1', detail: 'packet of 1048580 bytes declared, limit 65536' },
    ]);
    // … and against the device itself: its fault counter, as for bad input
    await expect
      .poll(async () => (await t.hub.ingest.store.faults()).find((f) => f.deviceId === 'band-1'))
      .toMatchObject({ count: 1, lastCode: 'too_large' });
    expect(t.hub.metrics.value('hub_ingest_rejected_total', { code: 'too_large' })).toBe(1);
  });

  it('also guards a CONNECT (before authentication) and WebSocket clients, and passes packets within the limit', async () => {
    const t = await hub({ mqttMaxPacketBytes: 64 * 1024 });
    const handled: number[] = [];
    t.hub.broker.setPublishHandler(async (ctx) => {
      handled.push(ctx.payload.length);
    });
    const raw = await rawConnect(t.hub.broker.ports().mqtt);
    raw.socket.write(Buffer.from([0x10, 0xff, 0xff, 0xff, 0x7f])); // CONNECT announcing 256 MiB
    await raw.closed(1_000);

    const secret = await t.provisionDevice({ id: 'band-2', type: 'wristband' });
    const ws = await mqtt.connectAsync(t.wsUrl, { ...as('band-2', secret), reconnectPeriod: 0 });
    await ws.publishAsync('eldercare/v1/band-2/telemetry', Buffer.alloc(60 * 1024, 0x20), { qos: 1 });
    expect(handled).toEqual([60 * 1024]);
    const closed = new Promise<void>((resolve) => ws.once('close', () => resolve()));
    ws.publish('eldercare/v1/band-2/telemetry', Buffer.alloc(100 * 1024, 0x20), { qos: 1 });
    await closed;
    expect(handled).toEqual([60 * 1024]);
  });
});

describe('protocol level (MQTT 3.1.1 §3.1.2.2)', () => {
  it('answers a CONNECT with an unsupported protocol level with CONNACK 0x01 and closes, also split across packets', async () => {
    const t = await hub();
    const secret = await t.provisionDevice({ id: 'btn-level' });
    for (const level of [6, 2, 0x7f]) {
      const packet = connectPacket({
        clientId: 'btn-level',
        username: 'btn-level',
        password: secret,
        clean: true,
      });
      packet[8] = level; // fixed header (2) + protocol name "MQTT" (2 + 4): the level byte
      const raw = await rawConnect(t.hub.broker.ports().mqtt);
      raw.socket.write(packet.subarray(0, 5));
      await new Promise((r) => setTimeout(r, 20));
      raw.socket.write(packet.subarray(5));
      expect(await raw.connack()).toBe(1);
      await raw.closed(3_000);
    }
    const kinds = (await t.hub.broker.queries.securityEvents({ kind: 'unsupported_protocol' })).map(
      (r) => r.detail,
    );
    expect(kinds).toEqual([
      'CONNECT with protocol level 6',
      'CONNECT with protocol level 2',
      'CONNECT with protocol level 127',
    ]);
    // level 4 (3.1.1) and 3 (3.1) still connect
    expect(await connackCode(t.mqttUrl, as('btn-level', secret))).toBe(0);
    expect(
      await connackCode(t.mqttUrl, { ...as('btn-level', secret), protocolVersion: 3, protocolId: 'MQIsdp' }),
    ).toBe(0);
  });
});

describe('connect rate limits', () => {
  it('counts failed connects per address (CONNACK 3 past the budget), connects per client (flapping), and recovers as time passes', async () => {
    const clock = new ManualClock();
    const t = await hub({ mqttConnectsPerMinutePerAddress: 5, mqttConnectsPerMinutePerClient: 2 }, clock);
    const flappy = await t.provisionDevice({ id: 'flappy' });
    const steady = await t.provisionDevice({ id: 'steady' });
    const late = await t.provisionDevice({ id: 'late' });

    expect(await connackCode(t.mqttUrl, as('flappy', flappy))).toBe(0);
    expect(await connackCode(t.mqttUrl, as('flappy', flappy))).toBe(0);
    expect(await connackCode(t.mqttUrl, as('flappy', flappy))).toBe(3); // flapping: 3rd of one id in a minute
    expect(await connackCode(t.mqttUrl, as('steady', steady))).toBe(0); // other ids are unaffected
    for (let i = 0; i < 5; i++) expect(await connackCode(t.mqttUrl, as('steady', `wrong-${i}`))).toBe(4);
    // 5 failures from 127.0.0.1 in a minute: an id never seen from here is not even verified now …
    expect(await connackCode(t.mqttUrl, as('late', late))).toBe(3);
    // … but one that has authenticated from this address before still gets in (no lock-out by a guesser)
    expect(await connackCode(t.mqttUrl, as('steady', steady))).toBe(0);
    expect(t.hub.metrics.value('hub_mqtt_connects_refused_total', { reason: 'rate_limited_client' })).toBe(1);
    expect(t.hub.metrics.value('hub_mqtt_connects_refused_total', { reason: 'rate_limited_address' })).toBe(
      1,
    );
    const kinds = (await t.hub.broker.queries.securityEvents()).map((r) => r.kind);
    expect(kinds).toEqual(['client_flapping', ...Array(5).fill('bad_credentials'), 'connect_rate_limited']);

    clock.advance(60_000);
    expect(await connackCode(t.mqttUrl, as('flappy', flappy))).toBe(0);
    expect(await connackCode(t.mqttUrl, as('late', late))).toBe(0);
  });

  it('lets a fleet behind one address (a carrier NAT) reconnect at once: devices that authenticate spend no budget', async () => {
    const t = await hub({ mqttConnectsPerMinutePerAddress: 5 });
    const fleet = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const id = `nat-${i}`;
        return { id, secret: await t.provisionDevice({ id, type: 'motion' }) };
      }),
    );
    const codes = await Promise.all(fleet.map((d) => connackCode(t.mqttUrl, as(d.id, d.secret))));
    expect(codes).toEqual(fleet.map(() => 0));
    expect(t.hub.metrics.value('hub_mqtt_connects_refused_total', { reason: 'rate_limited_address' })).toBe(
      0,
    );
  });
});

describe('MQTT over TLS', () => {
  it('serves the same identity rules on the TLS listener with the configured certificate', async () => {
    const openssl = requireTool('openssl', 'openssl');
    const dir = mkdtempSync(join(tmpdir(), 'broker-tls-'));
    tempDirs.push(dir);
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    const subject = ['-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'];
    const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
    const args = ['req', '-x509', ...ecKey, '-keyout', key, '-out', cert, '-days', '1', ...subject];
    execFileSync(openssl, args, { stdio: 'ignore' });
    const t = await hub({ mqttTlsCert: cert, mqttTlsKey: key });
    const mqtts = t.hub.addresses().mqtts;
    expect(mqtts).toBeGreaterThan(0);
    const transports: string[] = [];
    t.hub.bus.on('deviceConnected', 'test', (e) => {
      transports.push(e.transport);
    });
    const secret = await t.provisionDevice({ id: 'btn-tls' });
    const tls: IClientOptions = { ca: readFileSync(cert), rejectUnauthorized: true };
    const url = `mqtts://127.0.0.1:${mqtts}`;

    const client = await mqtt.connectAsync(url, { ...as('btn-tls', secret), ...tls, reconnectPeriod: 0 });
    await client.publishAsync('eldercare/v1/btn-tls/telemetry', '{"battery":80}', { qos: 1 });
    await expect.poll(() => transports).toEqual(['tls']);
    await client.endAsync();
    expect(await connackCode(url, { ...as('btn-tls', 'wrong'), ...tls })).toBe(4);
  });
});
