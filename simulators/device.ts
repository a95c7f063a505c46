import type { IClientOptions, MqttClient } from 'mqtt';
import { type DeviceType, topics } from '../kernel/contract.ts';
import { connectSim, publishOn } from './sim-connection.ts';

export interface SimDeviceOptions {
  /** mqtt://127.0.0.1:1883 or ws://127.0.0.1:8080/mqtt */
  url: string;
  id: string;
  secret: string;
  type: DeviceType;
  /** first seq to send; a rebooted device starts again from 0 */
  seq?: number;
}

export interface ErrorAnswer {
  code: string;
  seq: number | null;
  detail: string;
}

/**
 * A scriptable device that speaks docs/device-protocol.md through MQTT.js with its own
 * provisioned credentials: `status` online on connect with the Last Will offline, events with a seq
 * that grows by one, telemetry, and the hub's `command` and `error` answers.
 */
export class SimDevice {
  readonly id: string;
  readonly type: DeviceType;
  readonly #opts: SimDeviceOptions;
  #client: MqttClient | null = null;
  #seq: number;
  readonly commands: unknown[] = [];
  readonly errors: ErrorAnswer[] = [];

  constructor(opts: SimDeviceOptions) {
    this.#opts = opts;
    this.id = opts.id;
    this.type = opts.type;
    this.#seq = opts.seq ?? 0;
  }

  get client(): MqttClient {
    if (!this.#client) throw new Error(`${this.id} is not connected`);
    return this.#client;
  }

  /** The seq the next event will carry. */
  get nextSeq(): number {
    return this.#seq;
  }

  /**
   * Connects, subscribes to its `command` and `error` topics and publishes `status` online. On a failure
   * the half-made connection is closed, so a retry starts afresh.
   */
  async connect(extra: Partial<IClientOptions> = {}): Promise<this> {
    const offline = JSON.stringify({ state: 'offline' });
    const client = await connectSim(this.#opts.url, {
      clientId: this.id,
      username: this.id,
      password: this.#opts.secret,
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      will: { topic: topics.device(this.id, 'status'), payload: Buffer.from(offline), qos: 1, retain: true },
      ...extra,
    });
    this.#client = client;
    client.on('message', (topic, payload) => {
      let body: unknown;
      try {
        body = JSON.parse(payload.toString());
      } catch {
        body = payload.toString();
      }
      if (topic.endsWith('/error')) this.errors.push(body as ErrorAnswer);
      else this.commands.push(body);
    });
    try {
      await client.subscribeAsync([topics.device(this.id, 'command'), topics.device(this.id, 'error')], {
        qos: 1,
      });
      await this.status('online');
    } catch (err) {
      this.kill();
      throw err;
    }
    return this;
  }

  #publish(
    channel: 'event' | 'telemetry' | 'status',
    payload: string | Buffer,
    qos: 0 | 1 | 2,
    retain = false,
  ) {
    return publishOn(this.client, this.id, topics.device(this.id, channel), payload, { qos, retain });
  }

  status(state: 'online' | 'offline'): Promise<unknown> {
    return this.#publish('status', JSON.stringify({ state }), 1, true);
  }

  /** Publishes an event with the next seq (QoS 1 by default); resolves with its seq once acknowledged. */
  async event(name: string, fields: Record<string, unknown> = {}, qos: 1 | 2 = 1): Promise<number> {
    const seq = this.#seq++;
    await this.#publish('event', JSON.stringify({ event: name, seq, ...fields }), qos);
    return seq;
  }

  telemetry(readings: Record<string, unknown>, qos: 0 | 1 = 1): Promise<unknown> {
    return this.#publish('telemetry', JSON.stringify(readings), qos);
  }

  /** Sends anything, on any of its own channels (bad input for tests). */
  raw(channel: 'event' | 'telemetry' | 'status', payload: string | Buffer, qos: 0 | 1 = 1): Promise<unknown> {
    return this.#publish(channel, payload, qos);
  }

  /** A reboot: the seq starts again from 0. */
  reboot(): void {
    this.#seq = 0;
  }

  /**
   * Closes cleanly (DISCONNECT: no Last Will) once its messages in flight are acknowledged; a client
   * whose connection is already gone is ended at once (nothing of it can be acknowledged any more).
   */
  async end(): Promise<void> {
    const client = this.#client;
    this.#client = null;
    await client?.endAsync(!client.connected);
  }

  /** Drops the connection without DISCONNECT, so the broker sends the Last Will. */
  kill(): void {
    this.#client?.stream.destroy();
    this.#client?.end(true);
    this.#client = null;
  }
}

/** Waits until `check` holds, polling every 10 ms, for at most `timeoutMs`. */
export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 3000,
  what = 'condition',
): Promise<void> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
