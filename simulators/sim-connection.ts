import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

/**
 * Connects a simulated device or gateway with MQTT.js. Unless `reconnectPeriod` asks for reconnects,
 * the client is ended the moment its connection closes (the hub cut it: a rotated secret, a disabled
 * device, a stopping hub): messages still waiting for their PUBACK then fail with "Connection closed"
 * instead of waiting in MQTT.js's queue for a reconnect that never comes, which would hold up whoever
 * awaits them (a day runner's step, a stopping demo). A socket error (ECONNRESET) also ends in that
 * close: it is not left as an unhandled 'error' event that would end the process.
 */
export async function connectSim(url: string, options: IClientOptions): Promise<MqttClient> {
  const client = await mqtt.connectAsync(url, options);
  client.on('error', () => {});
  if ((client.options.reconnectPeriod ?? 0) === 0) client.on('close', () => client.end(true));
  return client;
}

/** Publishes on `client`, failing at once when its connection is gone for good. */
export function publishOn(
  client: MqttClient,
  id: string,
  topic: string,
  payload: string | Buffer,
  options: { qos: 0 | 1 | 2; retain?: boolean },
): Promise<unknown> {
  if (!client.connected && (client.options.reconnectPeriod ?? 0) === 0) {
    return Promise.reject(
      new Error(`${id} is offline: the hub closed its connection and it does not reconnect`),
    );
  }
  return client.publishAsync(topic, payload, options);
}
