import type { Metrics } from '../kernel/metrics.ts';

type Counter = ReturnType<Metrics['counter']>;

export interface BrokerMetrics {
  /** labels: reason (see ConnectRefusal in auth.ts) */
  connectsRefused: Counter;
  /** labels: channel (`event`, `telemetry`, `status`, `gateway`); counted once a publish is accepted */
  messagesIn: Counter;
  /** labels: kind (see SecurityEventKind); counts every event, including rows suppressed from the table */
  securityEvents: Counter;
}

/** Registers the broker's series on the shared registry the console serves at /metrics. */
export function registerBrokerMetrics(metrics: Metrics, connectedClients: () => number): BrokerMetrics {
  metrics.gauge(
    'hub_mqtt_connected_clients',
    'MQTT clients connected and authenticated now',
    connectedClients,
  );
  return {
    connectsRefused: metrics.counter('hub_mqtt_connects_refused_total', 'MQTT CONNECTs refused, by reason'),
    messagesIn: metrics.counter(
      'hub_mqtt_messages_in_total',
      'MQTT PUBLISHes accepted from clients, by channel',
    ),
    securityEvents: metrics.counter('hub_mqtt_security_events_total', 'MQTT security events, by kind'),
  };
}
