import type { MqttClient } from 'mqtt';
import { topics } from '../kernel/contract.ts';
import { connectSim, publishOn } from './sim-connection.ts';

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
    this.#client = await connectSim(this.#url, {
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
    try {
      await this.bridgeState('online');
    } catch (err) {
      this.#client?.end(true);
      this.#client = null;
      throw err;
    }
    return this;
  }

  #publish(topic: string, payload: string, qos: 0 | 1, retain = false): Promise<unknown> {
    return publishOn(this.client, this.id, topic, payload, { qos, retain });
  }

  /** Zigbee2MQTT 1.x publishes the plain string; 2.x publishes {"state":"online"}. */
  bridgeState(state: 'online' | 'offline', json = false): Promise<unknown> {
    const payload = json ? JSON.stringify({ state }) : state;
    return this.#publish(topics.gatewayBridgeState(this.id), payload, 1, true);
  }

  /** A Zigbee device's state, e.g. {"occupancy":true,"battery":91,"linkquality":120}. */
  device(friendlyName: string, payload: Record<string, unknown> | string, qos: 0 | 1 = 1): Promise<unknown> {
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return this.#publish(topics.gateway(this.id, friendlyName), body, qos);
  }

  /**
   * Zigbee2MQTT's per-device availability (`availability.enabled: true`), retained: `online`/`offline`
   * (1.x) or {"state":"online"} (2.x).
   */
  availability(friendlyName: string, state: 'online' | 'offline', json = false): Promise<unknown> {
    const payload = json ? JSON.stringify({ state }) : state;
    return this.#publish(`${topics.gateway(this.id, friendlyName)}/availability`, payload, 1, true);
  }

  /** Zigbee2MQTT's retained list of its network, `bridge/devices` (entries as Zigbee2MQTT writes them). */
  bridgeDevices(devices: ReadonlyArray<Record<string, unknown>>): Promise<unknown> {
    return this.#publish(topics.gateway(this.id, 'bridge/devices'), JSON.stringify(devices), 1, true);
  }

  /** A `bridge/event`: device_joined, device_interview, device_leave, … */
  bridgeEvent(type: string, data: Record<string, unknown>): Promise<unknown> {
    return this.#publish(topics.gateway(this.id, 'bridge/event'), JSON.stringify({ type, data }), 1);
  }

  /** Closes cleanly once its messages in flight are acknowledged; at once when the connection is gone. */
  async end(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.endAsync(!client.connected);
  }
}
