import { connect as netConnect } from 'node:net';
import { type IClientOptions, MqttClient } from 'mqtt';

/**
 * An MQTT.js client whose TCP connection leaves from `localAddress` (127.0.0.x): one source address
 * has about 28,000 ephemeral ports, and the hub limits connects per source address, so large runs
 * spread their devices over several loopback addresses. Resolves on CONNACK 0, rejects on a refusal,
 * an error or `connectTimeout`.
 */
export function connectFrom(url: string, opts: IClientOptions, localAddress?: string): Promise<MqttClient> {
  const { hostname, port } = new URL(url);
  const host = hostname || '127.0.0.1';
  const build = () =>
    netConnect({ host, port: Number(port || 1883), ...(localAddress ? { localAddress } : {}) });
  const client = new MqttClient(build, { protocolVersion: 4, reconnectPeriod: 0, ...opts });
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      client.removeListener('connect', ok);
      client.end(true);
      reject(err);
    };
    const ok = () => {
      client.removeListener('error', fail);
      resolve(client);
    };
    client.once('connect', ok);
    client.once('error', fail);
    client.once('close', () => fail(new Error('closed before CONNACK')));
  });
}
