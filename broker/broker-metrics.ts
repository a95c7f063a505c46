import type { HistogramHandle, Metrics } from '../kernel/metrics.ts';

type Counter = ReturnType<Metrics['counter']>;

export interface BrokerMetrics {
  /** labels: reason (see ConnectRefusal in auth.ts) */
  connectsRefused: Counter;
  /** labels: channel (`event`, `telemetry`, `status`, `gateway`); counted once a publish is accepted */
  messagesIn: Counter;
  /** labels: kind (see SecurityEventKind); counts every event, including rows suppressed from the table */
  securityEvents: Counter;
  /** labels: scheme (`hmac`, `scrypt` for a legacy hash), result (`ok`, `wrong`) */
  secretVerifications: Counter;
  /** legacy scrypt hashes replaced by their fast form */
  secretUpgrades: Counter;
  /** QoS 1/2 PUBLISH received → acknowledged (durable), seconds; labels: channel */
  publishAck: HistogramHandle;
}

/** Registers the broker's series on the shared registry the console serves at /metrics. */
export function registerBrokerMetrics(
  metrics: Metrics,
  connectedClients: () => number,
  connectedByType: () => Array<[{ type: string }, number]>,
): BrokerMetrics {
  metrics.gauge(
    'hub_mqtt_connected_clients',
    'MQTT clients connected and authenticated now',
    connectedClients,
  );
  metrics.labelledGauge(
    'hub_mqtt_connected_devices',
    'Devices and gateways connected now, by type (button, wristband, motion …, gateway)',
    ['type'],
    connectedByType,
  );
  return {
    connectsRefused: metrics.counter('hub_mqtt_connects_refused_total', 'MQTT CONNECTs refused, by reason'),
    messagesIn: metrics.counter(
      'hub_mqtt_messages_in_total',
      'MQTT PUBLISHes accepted from clients, by channel',
    ),
    securityEvents: metrics.counter('hub_mqtt_security_events_total', 'MQTT security events, by kind', [
      'kind',
    ]),
    secretVerifications: metrics.counter(
      'hub_mqtt_secret_verifications_total',
      'Device and gateway secrets verified at CONNECT, by scheme and result',
    ),
    secretUpgrades: metrics.counter(
      'hub_mqtt_secret_upgrades_total',
      'Legacy scrypt device secret hashes replaced by HMAC-SHA-256 after a successful connect',
    ),
    publishAck: metrics.histogram(
      'hub_mqtt_publish_ack_seconds',
      'QoS 1/2 PUBLISH received until acknowledged (stored durably first), seconds, by channel',
      { labelNames: ['channel'] },
    ),
  };
}
