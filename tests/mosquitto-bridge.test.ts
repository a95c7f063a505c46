/**
 * README "A household with Zigbee2MQTT", as an installer runs it: Debian's real `mosquitto` is the
 * household's broker, bridging to the real hub over TLS with the README's stanza (Mosquitto's default
 * bridge settings, notifications on), and Zigbee2MQTT's publishes are played on the household broker
 * with Debian's `mosquitto_pub` and MQTT.js, on `zigbee2mqtt/…` as Zigbee2MQTT sends them.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AQARA_LEAK, AQARA_MOTION, COORDINATOR, listed } from './fixtures/zigbee2mqtt.ts';
import { type Api, apiClient } from './helpers/api.ts';
import { messagesOf } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { freePort, HouseholdMosquitto, readmeBridgeStanza } from './helpers/mosquitto.ts';
import { selfSignedCert } from './helpers/tls.ts';
import { requireTool } from './helpers/tools.ts';

const GATEWAY = 'gw-z2m';
const HOUSEHOLD = 'hh-z2m';

/** The household as a county's provisioning file has it: a gateway with a leak sensor and a call button. */
const PROVISIONING = {
  households: [
    {
      id: HOUSEHOLD,
      address: '汶上县中都街道 幸福路 8号',
      grid: 'zhongdu-07',
      residents: [{ id: 'r-z2m', name: '王桂英', birthYear: 1940 }],
      gateways: [
        {
          id: GATEWAY,
          devices: [
            { friendlyName: 'kitchen_leak', id: 'z-leak-1', type: 'leak', room: 'kitchen' },
            { friendlyName: 'call_button', id: 'z-btn-1', type: 'button', resident: 'r-z2m' },
          ],
        },
      ],
    },
  ],
};

let root: string;
let tls: { cert: string; key: string };
let mosquittoPub: string;

beforeAll(() => {
  mosquittoPub = requireTool('mosquitto_pub', 'mosquitto-clients');
  root = mkdtempSync(join(tmpdir(), 'hub-bridge-'));
  tls = selfSignedCert(root);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('a household Mosquitto bridging Zigbee2MQTT to the hub', { timeout: 60_000 }, () => {
  let t: TestHub | null = null;
  let broker: HouseholdMosquitto | null = null;
  afterEach(async () => {
    await broker?.stop();
    broker = null;
    await t?.stop();
    t = null;
  });

  /** A hub with TLS (the README's bridge goes to port 8883's listener), the household imported. */
  async function startHub(opts: { dataDir?: string; mqttsPort?: number } = {}) {
    const hub = await startTestHub(
      { mqttTlsCert: tls.cert, mqttTlsKey: tls.key, mqttsPort: opts.mqttsPort ?? 0 },
      opts.dataDir ? { dataDir: opts.dataDir } : {},
    );
    const api = apiClient(hub.httpUrl);
    const token = await hub.login();
    return { hub, api, token };
  }

  async function provision(api: Api, token: string): Promise<string> {
    const imported = await api('POST', '/api/import', { token, body: PROVISIONING });
    expect(imported.status).toBe(200);
    const secrets = (imported.body as { secrets: Array<{ id: string; secret: string }> }).secrets;
    const secret = secrets.find((s) => s.id === GATEWAY)?.secret;
    if (!secret) throw new Error(`no secret for ${GATEWAY} in ${imported.text}`);
    return secret;
  }

  /** The README's stanza with this test's hub, CA file and gateway secret filled in. */
  function stanza(hub: TestHub, secret: string, opts: { notificationTopic: boolean }) {
    const text = readmeBridgeStanza({
      'hub.example.org:8883': `127.0.0.1:${hub.hub.addresses().mqtts}`,
      '/etc/mosquitto/certs/hub-ca.pem': tls.cert,
      'gw-0001': GATEWAY,
      GATEWAY_SECRET: secret,
    });
    if (opts.notificationTopic) return text;
    const lines = text.split('\n').filter((l) => !l.startsWith('notification_topic '));
    expect(lines.length).toBe(text.split('\n').length - 1);
    return lines.join('\n');
  }

  function brokerDir(name: string): string {
    const dir = join(root, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** Zigbee2MQTT publishing on the household broker: `mosquitto_pub`, QoS 1, exit 0 after its PUBACK. */
  function zigbee2mqtt(topic: string, payload: unknown, opts: { retain?: boolean } = {}) {
    const message = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const args = ['-h', '127.0.0.1', '-p', String(broker?.port), '-q', '1', '-t', topic, '-m', message];
    if (opts.retain) args.push('-r');
    return new Promise<void>((resolve, reject) =>
      execFile(mosquittoPub, args, { timeout: 10_000 }, (err, _stdout, stderr) =>
        err ? reject(new Error(`mosquitto_pub ${topic}: ${err.message} ${stderr}`)) : resolve(),
      ),
    );
  }

  const gatewayState = async (api: Api, token: string) => {
    const presence = (await api('GET', '/api/presence', { token })).body as Array<{
      clientId: string;
      state: string;
    }>;
    return presence.find((p) => p.clientId === GATEWAY)?.state ?? 'unknown';
  };

  /** The gateway's entry in the fleet page's offline list (GET /api/fleet), or null when it is not there. */
  const fleetOffline = async (api: Api, token: string) => {
    const fleet = (await api('GET', '/api/fleet', { token })).body as {
      offline: Array<{ clientId: string; kind: string; state: string; householdId: string | null }>;
    };
    return fleet.offline.find((e) => e.clientId === GATEWAY) ?? null;
  };

  const incidentTypes = async (api: Api, token: string) => {
    const list = (await api('GET', `/api/incidents?household=${HOUSEHOLD}`, { token })).body as Array<{
      alarmType: string;
      state: string;
    }>;
    return list.map((i) => i.alarmType).sort();
  };

  const securityRows = async (hub: TestHub) =>
    (await hub.hub.broker.queries.securityEvents({ clientId: GATEWAY })).map((r) => `${r.kind}: ${r.detail}`);

  it('turns a leak and a button press into incidents, forwards pairing, and the gateway goes offline on the fleet page when the bridge dies', async () => {
    const { hub, api, token } = await startHub();
    t = hub;
    const secret = await provision(api, token);
    broker = await HouseholdMosquitto.start({
      dir: brokerDir('household-1'),
      bridge: stanza(hub, secret, { notificationTopic: true }),
    });
    await expect.poll(() => gatewayState(api, token), { timeout: 10_000 }).toBe('online');
    await zigbee2mqtt('zigbee2mqtt/bridge/state', { state: 'online' }, { retain: true });

    await zigbee2mqtt('zigbee2mqtt/kitchen_leak', { water_leak: true, battery: 91, linkquality: 120 });
    await zigbee2mqtt('zigbee2mqtt/call_button', { action: 'single', battery: 88 });
    await expect.poll(() => incidentTypes(api, token), { timeout: 10_000 }).toEqual(['sos', 'water_leak']);
    expect((await messagesOf(hub, 'z-leak-1')).find((m) => m.channel === 'event')?.body).toMatchObject({
      event: { name: 'leak' },
      room: 'kitchen',
      source: 'zigbee',
      gatewayId: GATEWAY,
      friendlyName: 'kitchen_leak',
    });
    expect(await fleetOffline(api, token)).toBeNull();

    // Zigbee2MQTT's retained device list: a motion sensor just paired, not yet provisioned in the hub.
    const NEW = '0x00158d0002b3c4d5';
    await zigbee2mqtt(
      'zigbee2mqtt/bridge/devices',
      [COORDINATOR, listed('0x00158d0001a2b3c4', 'kitchen_leak', AQARA_LEAK), listed(NEW, NEW, AQARA_MOTION)],
      { retain: true },
    );
    const pending = async () =>
      (
        (await api('GET', `/api/gateways/${GATEWAY}/zigbee-devices`, { token })).body as Array<{
          friendlyName: string;
          suggestedType: string | null;
        }>
      ).map((p) => `${p.friendlyName} ${p.suggestedType}`);
    await expect.poll(pending, { timeout: 10_000 }).toEqual([`${NEW} motion`]);

    await broker.kill();
    await expect
      .poll(() => fleetOffline(api, token), { timeout: 10_000 })
      .toMatchObject({ kind: 'gateway', state: 'offline', householdId: HOUSEHOLD });
    // Its will was on its own bridge/state: kept and published, nothing refused.
    expect(await securityRows(hub)).toEqual([]);
  });

  it('loses nothing the household broker acknowledged while the hub was unreachable, across a Mosquitto restart', async () => {
    const dataDir = join(root, 'hub-data');
    const mqttsPort = await freePort();
    const first = await startHub({ dataDir, mqttsPort });
    t = first.hub;
    const secret = await provision(first.api, first.token);
    broker = await HouseholdMosquitto.start({
      dir: brokerDir('household-2'),
      bridge: stanza(first.hub, secret, { notificationTopic: true }),
    });
    await expect.poll(() => gatewayState(first.api, first.token), { timeout: 10_000 }).toBe('online');

    // The hub goes away (the county's link is down); Zigbee2MQTT goes on publishing locally, QoS 1.
    await first.hub.stop();
    t = null;
    const local = await mqtt.connectAsync(broker.url, { clientId: 'zigbee2mqtt', reconnectPeriod: 0 });
    const batteries = Array.from({ length: 20 }, (_, i) => 60 + i);
    for (const battery of batteries) {
      await local.publishAsync('zigbee2mqtt/kitchen_leak', JSON.stringify({ battery }), { qos: 1 }); // PUBACK
    }
    await local.publishAsync('zigbee2mqtt/kitchen_leak', JSON.stringify({ water_leak: true }), { qos: 1 });
    await local.endAsync();

    // The household broker restarts (clean stop: it saves its queue), then the hub comes back.
    await broker.restart();
    const second = await startHub({ dataDir, mqttsPort });
    t = second.hub;
    const readings = async () =>
      (await messagesOf(second.hub, 'z-leak-1'))
        .filter((m) => m.channel === 'telemetry')
        .map((m) => (m.body.readings as { battery: number }).battery);
    // the bridge retries every 1–2 s (restart_timeout in helpers/mosquitto.ts) and then sends its queue
    await expect.poll(async () => (await readings()).length, { timeout: 45_000 }).toBe(batteries.length);
    expect((await readings()).sort((a, b) => a - b)).toEqual(batteries); // each exactly once
    await expect
      .poll(() => incidentTypes(second.api, second.token), { timeout: 10_000 })
      .toEqual(['water_leak']);
    expect(broker.log()).toContain('Saving in-memory database');
  });

  it("with Mosquitto's default notification topic the bridge connects and stays; its will is dropped and logged once", async () => {
    const { hub, api, token } = await startHub();
    t = hub;
    const secret = await provision(api, token);
    const connects: string[] = [];
    hub.hub.bus.on('deviceConnected', 'test', (e) => {
      connects.push(e.clientId);
    });
    broker = await HouseholdMosquitto.start({
      dir: brokerDir('household-3'),
      bridge: stanza(hub, secret, { notificationTopic: false }),
    });
    await expect.poll(() => gatewayState(api, token), { timeout: 10_000 }).toBe('online');
    // The bridge's `1` on $SYS/broker/connection/gw-z2m/state is its availability, not a reason to close.
    await new Promise((r) => setTimeout(r, 2500)); // > 2 × the bridge's 1 s retry
    expect(connects).toEqual([GATEWAY]);

    await broker.restart(); // a reconnect: the same will again, no second row
    await expect.poll(() => connects.length, { timeout: 10_000 }).toBe(2);
    await zigbee2mqtt('zigbee2mqtt/kitchen_leak', { water_leak: true });
    await expect.poll(() => incidentTypes(api, token), { timeout: 10_000 }).toEqual(['water_leak']);
    expect(await securityRows(hub)).toEqual([
      `will_denied: Last Will on $SYS/broker/connection/${GATEWAY}/state dropped (connection accepted): outside the gateway's own base topic`,
    ]);

    await broker.kill();
    await expect
      .poll(() => fleetOffline(api, token), { timeout: 10_000 })
      .toMatchObject({ kind: 'gateway', state: 'offline' });
    expect(await securityRows(hub)).toHaveLength(1); // the dropped will was not published either
  });
});
