import type { AedesPublishPacket } from 'aedes';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PublishContext } from '../broker/broker.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

let t: TestHub;
const open: MqttClient[] = [];
/** Every PUBLISH the hub let through to its subscribers (what a hub-side consumer would see). */
const delivered: string[] = [];
/** Every PUBLISH the publish handler (durable intake, later) was asked to accept. */
const handled: PublishContext[] = [];
const secrets = new Map<string, string>();

beforeAll(async () => {
  t = await startTestHub();
  t.hub.broker.setPublishHandler(async (ctx) => {
    handled.push(ctx);
  });
  const onPacket = (packet: AedesPublishPacket, done: () => void) => {
    delivered.push(packet.topic);
    done();
  };
  await new Promise<void>((resolve) => t.hub.broker.aedes().subscribe('eldercare/v1/#', onPacket, resolve));
  for (const id of ['btn-a', 'btn-b']) secrets.set(id, await t.provisionDevice({ id }));
  for (const id of ['gw-1', 'gw-2']) secrets.set(id, await t.provisionGateway({ id }));
});
afterEach(() => {
  t.hub.broker.setPublishHandler(async (ctx) => {
    handled.push(ctx);
  });
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.endAsync(true)));
  await t.stop();
});

async function connectAs(id: string, extra: IClientOptions = {}) {
  const client = await mqtt.connectAsync(t.mqttUrl, {
    clientId: id,
    username: id,
    password: secrets.get(id),
    reconnectPeriod: 0,
    connectTimeout: 5_000,
    ...extra,
  });
  open.push(client);
  return client;
}

const closedSoon = (client: MqttClient) =>
  new Promise<void>((resolve, reject) => {
    if (client.disconnected || !client.connected) return resolve();
    const timer = setTimeout(() => reject(new Error('connection still open after 2 s')), 2_000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** The SUBACK return codes for `subs`, in order (MQTT.js rejects when any is 0x80; the codes are on the error). */
async function subackCodes(client: MqttClient, subs: Record<string, { qos: 0 | 1 | 2 }>): Promise<number[]> {
  try {
    return (await client.subscribeAsync(subs)).map((g) => g.qos);
  } catch (err) {
    const granted = (err as { packet?: { granted?: number[] } }).packet?.granted;
    if (!granted) throw err;
    return granted;
  }
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const securityKinds = async () =>
  (await t.hub.broker.queries.securityEvents()).map((r) => `${r.kind} ${r.clientId}: ${r.detail}`);

describe('device topics (device-protocol.md "Topics")', () => {
  it('accepts a device publish on its own topics, acknowledged after the publish handler', async () => {
    const a = await connectAs('btn-a');
    await a.publishAsync('eldercare/v1/btn-a/telemetry', '{"battery":87}', { qos: 1 });
    await a.publishAsync('eldercare/v1/btn-a/event', '{"event":"sos","seq":1}', { qos: 2 });
    await a.publishAsync('eldercare/v1/btn-a/status', '{"state":"online"}', { qos: 1, retain: true });
    expect(handled.slice(-3)).toEqual([
      {
        clientId: 'btn-a',
        kind: 'device',
        householdId: 'hh-test',
        topic: 'eldercare/v1/btn-a/telemetry',
        payload: Buffer.from('{"battery":87}'),
        qos: 1,
        retain: false,
        receivedAt: expect.any(Number),
        connected: expect.any(Function),
        keepAlive: expect.any(Function),
      },
      expect.objectContaining({ topic: 'eldercare/v1/btn-a/event', qos: 2 }),
      expect.objectContaining({ topic: 'eldercare/v1/btn-a/status', retain: true }),
    ]);
    expect(t.hub.metrics.value('hub_mqtt_messages_in_total', { channel: 'telemetry' })).toBe(1);
    expect(t.hub.metrics.value('hub_mqtt_messages_in_total', { channel: 'event' })).toBe(1);
    expect(handled.at(-1)?.connected()).toBe(true); // the connection a handler may hold a message of
    await a.endAsync();
    await new Promise((r) => setTimeout(r, 50));
    expect(handled.at(-1)?.connected()).toBe(false);
  });

  it("closes a device that publishes on another device's topics, and nothing of it is kept or delivered", async () => {
    const a = await connectAs('btn-a');
    const seenByA: string[] = [];
    a.on('message', (topic) => seenByA.push(topic));
    await a.subscribeAsync('eldercare/v1/btn-a/command', { qos: 1 });
    const before = { handled: handled.length, delivered: delivered.length };

    const b = await connectAs('btn-b');
    b.publish('eldercare/v1/btn-a/command', '{"type":"alarm_accepted","alarmId":"x"}', { qos: 1 });
    await closedSoon(b);
    const b2 = await connectAs('btn-b');
    b2.publish('eldercare/v1/btn-a/event', '{"event":"sos","seq":1}', { qos: 1 });
    await closedSoon(b2);
    await pause(200);

    expect(seenByA).toEqual([]);
    expect(handled.length).toBe(before.handled);
    expect(delivered.length).toBe(before.delivered);
    expect(await securityKinds()).toEqual(
      expect.arrayContaining([
        'publish_denied btn-b: publish to eldercare/v1/btn-a/command: not one of its own event/telemetry/status topics',
        'publish_denied btn-b: publish to eldercare/v1/btn-a/event: not one of its own event/telemetry/status topics',
      ]),
    );
    expect(a.connected).toBe(true);
    await a.endAsync();
  });

  it('grants a device its own command and error topics and answers any other subscription with 0x80', async () => {
    const a = await connectAs('btn-a');
    const granted = await subackCodes(a, {
      'eldercare/v1/btn-a/command': { qos: 1 },
      'eldercare/v1/btn-a/error': { qos: 0 },
      'eldercare/v1/btn-b/command': { qos: 1 },
      'eldercare/v1/+/command': { qos: 1 },
      'eldercare/v1/#': { qos: 0 },
      'eldercare/v1/btn-a/telemetry': { qos: 0 },
    });
    expect(granted).toEqual([1, 0, 128, 128, 128, 128]);
    expect(a.connected).toBe(true);
    expect(t.hub.metrics.value('hub_mqtt_security_events_total', { kind: 'subscribe_denied' })).toBe(4);

    // The hub's messages reach the device on the topics it was granted.
    const received = new Promise<[string, string]>((resolve) =>
      a.once('message', (t, p) => resolve([t, p.toString()])),
    );
    await t.hub.broker.publishToDevice(
      'eldercare/v1/btn-a/command',
      '{"type":"alarm_accepted","alarmId":"a1"}',
      1,
    );
    expect(await received).toEqual([
      'eldercare/v1/btn-a/command',
      '{"type":"alarm_accepted","alarmId":"a1"}',
    ]);
    await expect(t.hub.broker.publishToDevice('eldercare/v1/btn-a/telemetry', '{}', 0)).rejects.toThrow(
      /hub-to-device/,
    );
    await a.endAsync();
  });

  it('does not acknowledge a message the publish handler could not keep, and closes the connection', async () => {
    t.hub.broker.setPublishHandler(async () => {
      throw new Error('disk full');
    });
    const a = await connectAs('btn-a');
    const before = delivered.length;
    let acked = false;
    a.publish('eldercare/v1/btn-a/event', '{"event":"sos","seq":2}', { qos: 1 }, () => {
      acked = true;
    });
    await closedSoon(a);
    expect(acked).toBe(false);
    expect(delivered.length).toBe(before);
  });

  it('accepts a client whose Last Will is on a foreign topic, never publishes that will, logs it once', async () => {
    const foreignWill = {
      will: { topic: 'eldercare/v1/btn-a/status', payload: Buffer.from('x'), qos: 1 as const, retain: true },
    };
    const willRows = async () => (await securityKinds()).filter((k) => k.startsWith('will_denied btn-b'));
    const handledBefore = handled.length;
    const deliveredBefore = delivered.length;
    for (let i = 0; i < 3; i++) {
      const reconnect = await connectAs('btn-b', foreignWill);
      reconnect.stream.destroy(); // dropped, not a DISCONNECT: a kept will would be published now
      await closedSoon(reconnect);
    }
    await pause(200);
    expect(handled.slice(handledBefore).map((c) => c.topic)).toEqual([]);
    expect(delivered.slice(deliveredBefore)).toEqual([]);
    // one row for three connects: a bridge reconnecting every few seconds does not flood the log
    expect(await willRows()).toEqual([
      expect.stringContaining('Last Will on eldercare/v1/btn-a/status dropped (connection accepted)'),
    ]);
    expect((await securityKinds()).filter((k) => k.includes('publish to eldercare/v1/btn-a/status'))).toEqual(
      [],
    );

    const b = await connectAs('btn-b', {
      will: {
        topic: 'eldercare/v1/btn-b/status',
        payload: Buffer.from('{"state":"offline"}'),
        qos: 1,
        retain: true,
      },
    });
    b.stream.destroy(); // a dropped connection, not a DISCONNECT
    await expect
      .poll(() => handled.find((c) => c.topic === 'eldercare/v1/btn-b/status')?.payload.toString())
      .toBe('{"state":"offline"}');
  });

  it('closes a client that publishes a topic deeper than the broker allows', async () => {
    const a = await connectAs('btn-a');
    a.publish(`eldercare/v1/btn-a/${'x/'.repeat(30)}event`, '{}', { qos: 1 });
    await closedSoon(a);
    const gw = await connectAs('gw-1');
    gw.publish('eldercare/v1/gw/gw-1/a/b/c/d/e/f/g', '{}', { qos: 0 });
    await closedSoon(gw);
    expect(t.hub.metrics.value('hub_mqtt_security_events_total', { kind: 'topic_too_deep' })).toBe(2);
  });
});

describe('gateway topics (device-protocol.md "Gateways")', () => {
  it('lets a Zigbee2MQTT gateway publish and subscribe within its own base topic only', async () => {
    const gw = await connectAs('gw-1');
    const granted = await subackCodes(gw, {
      'eldercare/v1/gw/gw-1/#': { qos: 0 },
      'eldercare/v1/gw/gw-2/#': { qos: 0 },
      'eldercare/v1/gw/+/bridge/state': { qos: 0 },
      [`eldercare/v1/gw/gw-1/${'a/'.repeat(8)}#`]: { qos: 0 },
    });
    expect(granted).toEqual([0, 128, 128, 128]);

    await gw.publishAsync('eldercare/v1/gw/gw-1/bridge/state', 'online', { qos: 1, retain: true });
    await gw.publishAsync('eldercare/v1/gw/gw-1/kitchen_leak', '{"water_leak":true,"battery":91}', {
      qos: 1,
    });
    await gw.publishAsync('eldercare/v1/gw/gw-1/living/motion/availability', 'online', { qos: 0 });
    await expect
      .poll(() => handled.filter((c) => c.clientId === 'gw-1').map((c) => [c.kind, c.topic]))
      .toEqual([
        ['gateway', 'eldercare/v1/gw/gw-1/bridge/state'],
        ['gateway', 'eldercare/v1/gw/gw-1/kitchen_leak'],
        ['gateway', 'eldercare/v1/gw/gw-1/living/motion/availability'],
      ]);

    gw.publish('eldercare/v1/gw/gw-2/kitchen_leak', '{"water_leak":true}', { qos: 1 });
    await closedSoon(gw);
    expect(handled.some((c) => c.topic.startsWith('eldercare/v1/gw/gw-2/'))).toBe(false);

    const again = await connectAs('gw-1');
    again.publish('eldercare/v1/gw-1/event', '{"event":"sos","seq":1}', { qos: 1 });
    await closedSoon(again);
  });
});
