import type { BrokerRoom } from '../../broker/broker.ts';
import type { Clock } from '../../kernel/clock.ts';
import { topics } from '../../kernel/contract.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import type { DeliveryLog } from './delivery-log.ts';
import type { Notification, Notifier } from './types.ts';

/** Device types that can show "help is coming" (device-protocol.md, `command`). */
const CALL_UNITS = new Set(['button', 'wristband']);

export interface DeviceChannelDeps {
  registry: Registry;
  broker: Pick<BrokerRoom, 'publishToDevice'>;
  deliveries: DeliveryLog;
  clock: Clock;
  log: Logger;
}

/**
 * When an incident becomes `dispatched` (a responder accepted), each enabled button and wristband of the
 * household gets `{"type":"alarm_accepted","alarmId":"<incident id>"}` on eldercare/v1/{id}/command,
 * QoS 1 (device-protocol.md). Devices behind a Zigbee gateway are not sent to: they never connect
 * themselves and the protocol has no command topic for them yet. Each publish is a delivery log row.
 */
export function createDeviceChannel(deps: DeviceChannelDeps): Notifier {
  const { registry, broker, deliveries, clock, log } = deps;
  return {
    channel: 'device',
    async notify(n: Notification) {
      if (n.event !== 'incident_progress' || n.incident.state !== 'dispatched') return;
      const units = registry.devices
        .list([n.incident.householdId])
        .filter((d) => d.enabled && CALL_UNITS.has(d.type) && d.gatewayId === null);
      const payload = JSON.stringify({ type: 'alarm_accepted', alarmId: n.incident.id });
      await Promise.all(
        units.map(async (device) => {
          const id = deliveries.create({
            at: clock.now(),
            channel: 'device',
            target: device.id,
            event: n.event,
            incidentId: n.incident.id,
            body: null,
          });
          try {
            await broker.publishToDevice(topics.device(device.id, 'command'), payload, 1);
            deliveries.delivered(id, 1, clock.now());
          } catch (err) {
            // No retry here: QoS 1 with the device's session is the retry; a stopped broker is logged.
            deliveries.attemptFailed(id, 1, (err as Error).message, null);
            log.warn({ err, deviceId: device.id, incidentId: n.incident.id }, 'alarm_accepted not published');
          }
        }),
      );
    },
  };
}
