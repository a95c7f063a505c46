import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityEventKind } from '../broker/security-log.ts';
import type { HubEvents } from '../kernel/bus.ts';
import { connectPacket, rawConnect } from './helpers/broker-raw.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

let t: TestHub;
const connected: HubEvents['deviceConnected'][] = [];
const disconnected: HubEvents['deviceDisconnected'][] = [];
const securityEvents: HubEvents['securityEvent'][] = [];
const open: MqttClient[] = [];

beforeAll(async () => {
  t = await startTestHub();
  t.hub.bus.on('deviceConnected', 'test', (e) => {
    connected.push(e);
  });
  t.hub.bus.on('deviceDisconnected', 'test', (e) => {
    disconnected.push(e);
  });
  t.hub.bus.on('securityEvent', 'test', (e) => {
    securityEvents.push(e);
  });
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.endAsync(true)));
  await t.stop();
});

async function connectAs(url: string, id: string, password: string, extra: IClientOptions = {}) {
  const client = await mqtt.connectAsync(url, {
    clientId: id,
    username: id,
    password,
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    ...extra,
  });
  open.push(client);
  return client;
}

/** The CONNACK return code a refused CONNECT got. */
async function refusedWith(url: string, opts: IClientOptions): Promise<number> {
  try {
    const client = await mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...opts });
    await client.endAsync(true);
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
  throw new Error('the CONNECT was accepted');
}

/** The broker's stored security events of a kind, oldest first: who, from where, what. */
const securityRows = async (kind: SecurityEventKind) =>
  (await t.hub.broker.queries.securityEvents({ kind })).map(({ clientId, address, detail }) => ({
    clientId,
    address,
    detail,
  }));

describe('MQTT identity (device-protocol.md "Identity")', () => {
  it('accepts a device with its own id and secret over TCP and over WebSocket, and reports presence', async () => {
    const secret = await t.provisionDevice({ id: 'btn-ok' });
    const tcp = await connectAs(t.mqttUrl, 'btn-ok', secret);
    expect(tcp.connected).toBe(true);
    // Presence follows the CONNACK (aedes announces a client once its session is set up).
    await expect.poll(() => t.hub.broker.connectedClients()).toBe(1);
    expect(t.hub.metrics.value('hub_mqtt_connected_clients')).toBe(1);
    expect(connected).toContainEqual({
      clientId: 'btn-ok',
      kind: 'device',
      address: '127.0.0.1',
      transport: 'tcp',
    });
    await tcp.endAsync();
    await expect.poll(() => disconnected).toContainEqual({ clientId: 'btn-ok', kind: 'device' });

    const ws = await connectAs(t.wsUrl, 'btn-ok', secret);
    expect(ws.connected).toBe(true);
    await expect.poll(() => connected.at(-1)).toMatchObject({ clientId: 'btn-ok', transport: 'ws' });
    await ws.endAsync();
  });

  it('accepts MQTT 3.1 (protocol level 3) as well as 3.1.1', async () => {
    const secret = await t.provisionDevice({ id: 'band-v31', type: 'wristband' });
    const client = await connectAs(t.mqttUrl, 'band-v31', secret, {
      protocolVersion: 3,
      protocolId: 'MQIsdp',
    });
    expect(client.connected).toBe(true);
    await client.endAsync();
  });

  it('answers a wrong secret, an unknown id and a clientId other than the username with CONNACK 4', async () => {
    const secret = await t.provisionDevice({ id: 'btn-a' });
    await t.provisionDevice({ id: 'btn-b' });
    expect(
      await refusedWith(t.mqttUrl, { clientId: 'btn-a', username: 'btn-a', password: 'not-the-secret' }),
    ).toBe(4);
    expect(await refusedWith(t.mqttUrl, { clientId: 'nobody', username: 'nobody', password: secret })).toBe(
      4,
    );
    expect(await refusedWith(t.mqttUrl, { clientId: 'btn-b', username: 'btn-a', password: secret })).toBe(4);
    expect(await refusedWith(t.wsUrl, { clientId: 'btn-a', username: 'btn-a' })).toBe(4);

    expect((await securityRows('bad_credentials')).map((r) => r.clientId)).toEqual(['btn-a', 'btn-a']);
    expect(await securityRows('unknown_client')).toEqual([
      { clientId: 'nobody', address: '127.0.0.1', detail: 'no device or gateway with this id' },
    ]);
    expect((await securityRows('client_id_mismatch'))[0]?.clientId).toBe('btn-b');
    expect(t.hub.metrics.value('hub_mqtt_connects_refused_total', { reason: 'bad_credentials' })).toBe(2);
    expect(securityEvents.some((e) => e.kind === 'unknown_client' && e.clientId === 'nobody')).toBe(true);
    // The refused secret never reaches the store.
    expect(JSON.stringify(await t.hub.broker.queries.securityEvents())).not.toContain('not-the-secret');
  });

  it('disconnects a device when it is disabled, and answers its next CONNECT with 5', async () => {
    const secret = await t.provisionDevice({ id: 'leak-off', type: 'leak' });
    const client = await connectAs(t.mqttUrl, 'leak-off', secret);
    const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
    await t.hub.registry.devices.upsert({
      id: 'leak-off',
      householdId: 'hh-test',
      type: 'leak',
      enabled: false,
    });
    await closed;
    expect(
      await refusedWith(t.mqttUrl, { clientId: 'leak-off', username: 'leak-off', password: secret }),
    ).toBe(5);
    expect((await securityRows('disabled_client'))[0]?.clientId).toBe('leak-off');
  });

  it('answers a zero-length clientId with CleanSession=0 with CONNACK 2', async () => {
    const raw = await rawConnect(t.hub.broker.ports().mqtt);
    raw.socket.write(connectPacket({ clientId: '', username: 'x', password: 'y', clean: false }));
    expect(await raw.connack()).toBe(2);
    await raw.closed(2_000);
    expect(await securityRows('empty_client_id')).toHaveLength(1);
  });

  it('lets a second connection with the same id take over and closes the first', async () => {
    const secret = await t.provisionDevice({ id: 'motion-1', type: 'motion' });
    const first = await connectAs(t.mqttUrl, 'motion-1', secret);
    const firstClosed = new Promise<void>((resolve) => first.once('close', () => resolve()));
    const second = await connectAs(t.mqttUrl, 'motion-1', secret);
    await firstClosed;
    expect(second.connected).toBe(true);
    expect(first.connected).toBe(false);
    await expect.poll(() => t.hub.broker.connectedClients()).toBe(1);
    await second.endAsync();
  });

  it('refuses the old secret once it is rotated, and drops the session that used it', async () => {
    const secret = await t.provisionDevice({ id: 'meter-1', type: 'water_meter' });
    const client = await connectAs(t.mqttUrl, 'meter-1', secret);
    await client.endAsync();
    const again = await connectAs(t.mqttUrl, 'meter-1', secret); // served from the verified-secret cache
    const closed = new Promise<void>((resolve) => again.once('close', () => resolve()));

    const rotated = await t.provisionDevice({ id: 'meter-1', type: 'water_meter' });
    await closed; // the session authenticated with the old secret is closed
    expect(await refusedWith(t.mqttUrl, { clientId: 'meter-1', username: 'meter-1', password: secret })).toBe(
      4,
    );
    const fresh = await connectAs(t.mqttUrl, 'meter-1', rotated);
    expect(fresh.connected).toBe(true);
    await fresh.endAsync();
  });
});
