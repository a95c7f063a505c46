import mqtt, { type MqttClient } from 'mqtt';
import { topics } from '../kernel/contract.ts';

/**
 * A Zigbee2MQTT gateway: `mqtt.base_topic` = eldercare/v1/gw/{id}, connecting with the gateway's
 * credentials, publishing its Zigbee devices' payloads under their friendly names and its availability
 * on `bridge/state`.
 */
export class SimGateway {
  readonly id: string;
  readonly #url: string;
  readonly #secret: string;
  #client: MqttClient | null = null;

  constructor(opts: { url: string; id: string; secret: string }) {
    this.id = opts.id;
    this.#url = opts.url;
    this.#secret = opts.secret;
  }

  get client(): MqttClient {
    if (!this.#client) throw new Error(`${this.id} is not connected`);
    return this.#client;
  }

  async connect(): Promise<this> {
    this.#client = await mqtt.connectAsync(this.#url, {
      clientId: this.id,
      username: this.id,
      password: this.#secret,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      will: {
        topic: topics.gatewayBridgeState(this.id),
        payload: Buffer.from('offline'),
        qos: 1,
        retain: true,
      },
    });
    await this.bridgeState('online');
    return this;
  }

  /** Zigbee2MQTT 1.x publishes the plain string; 2.x publishes {"state":"online"}. */
  bridgeState(state: 'online' | 'offline', json = false): Promise<unknown> {
    const payload = json ? JSON.stringify({ state }) : state;
    return this.client.publishAsync(topics.gatewayBridgeState(this.id), payload, { qos: 1, retain: true });
  }

  /** A Zigbee device's state, e.g. {"occupancy":true,"battery":91,"linkquality":120}. */
  device(friendlyName: string, payload: Record<string, unknown> | string, qos: 0 | 1 = 1): Promise<unknown> {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return this.client.publishAsync(topics.gateway(this.id, friendlyName), body, { qos });
  }

  /**
   * Zigbee2MQTT's per-device availability (`availability.enabled: true`), retained: `online`/`offline`
   * (1.x) or {"state":"online"} (2.x).
   */
  availability(friendlyName: string, state: 'online' | 'offline', json = false): Promise<unknown> {
    const payload = json ? JSON.stringify({ state }) : state;
    return this.client.publishAsync(`${topics.gateway(this.id, friendlyName)}/availability`, payload, {
      qos: 1,
      retain: true,
    });
  }

  /** Zigbee2MQTT's retained list of its network, `bridge/devices` (entries as Zigbee2MQTT writes them). */
  bridgeDevices(devices: ReadonlyArray<Record<string, unknown>>): Promise<unknown> {
    return this.client.publishAsync(topics.gateway(this.id, 'bridge/devices'), JSON.stringify(devices), {
      qos: 1,
      retain: true,
    });
  }

  /** A `bridge/event`: device_joined, device_interview, device_leave, … */
  bridgeEvent(type: string, data: Record<string, unknown>): Promise<unknown> {
    return this.client.publishAsync(topics.gateway(this.id, 'bridge/event'), JSON.stringify({ type, data }), {
      qos: 1,
    });
  }

  async end(): Promise<void> {
    await this.#client?.endAsync();
    this.#client = null;
  }
}
