import type { BrokerRoom } from '../../broker/broker.ts';
import { topics } from '../../kernel/contract.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import type { OutboxChannel } from './types.ts';

/** Device types that can show "help is coming" (device-protocol.md, `command`). */
const CALL_UNITS = new Set(['button', 'wristband']);

export interface DeviceChannelDeps {
  registry: Registry;
  broker: Pick<BrokerRoom, 'publishToDevice'>;
}

/**
 * When an incident becomes `dispatched` (a responder accepted), each enabled button and wristband of the
 * household gets `{"type":"alarm_accepted","alarmId":"<incident id>"}` on eldercare/v1/{id}/command,
 * QoS 1 (device-protocol.md), through the outbox (outbox.ts): one delivery row per unit, written with
 * the transition, published after it commits. Devices behind a Zigbee gateway are not sent to: they never
 * connect themselves and the protocol has no command topic for them yet.
 */
export function createDeviceChannel(deps: DeviceChannelDeps): OutboxChannel {
  const { registry, broker } = deps;
  return {
    channel: 'device',
    // One attempt: QoS 1 with the device's session is the retry; a publish refused by a stopped broker
    // is recorded as failed.
    policy: { maxAttempts: 1, baseMs: 0, maxMs: 0 },
    async plan(n) {
      if (n.event !== 'incident_progress' || n.incident.state !== 'dispatched') return [];
      const body = JSON.stringify({ type: 'alarm_accepted', alarmId: n.incident.id });
      return (await registry.devices.list([n.incident.householdId]))
        .filter((d) => d.enabled && CALL_UNITS.has(d.type) && d.gatewayId === null)
        .map((d) => ({ target: d.id, body }));
    },
    accepts: () => true,
    async attempt(d) {
      try {
        await broker.publishToDevice(topics.device(d.target, 'command'), d.body, 1);
        return { ok: true };
      } catch (err) {
        return { ok: false, error: (err as Error).message, retry: false };
      }
    },
  };
}
