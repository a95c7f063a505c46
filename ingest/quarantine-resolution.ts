/**
 * Quarantined `unknown_device` input of a gateway, per Zigbee2MQTT friendly name, and marking it resolved
 * once the admin provisions that friendly name (pairing). The rows stay: resolved is a mark, the input
 * and its reason are kept until retention deletes them.
 */
import { parseTopic } from '../kernel/contract.ts';
import { classifyGatewaySubtopic } from './gateway-topics.ts';
import type { QuarantineStore } from './store/types.ts';

/** The friendly name a gateway topic is about (its state or its availability), or null. */
function friendlyNameOf(topic: string): string | null {
  const parsed = parseTopic(topic);
  if (parsed?.kind !== 'gateway') return null;
  const sub = classifyGatewaySubtopic(parsed.subtopic);
  return sub.kind === 'device' || sub.kind === 'availability' ? sub.friendlyName : null;
}

export class QuarantineResolution {
  readonly #store: QuarantineStore;

  constructor(store: QuarantineStore) {
    this.#store = store;
  }

  /** Unresolved unknown-device entries of a gateway, counted per friendly name. */
  async unknownDevices(gatewayId: string): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const row of await this.#store.unresolvedUnknownDevices(gatewayId)) {
      const name = friendlyNameOf(row.topic);
      if (name !== null) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    return counts;
  }

  /**
   * Marks the gateway's unknown-device entries for `friendlyName` resolved; returns how many. `alongside`
   * (the registry's write that provisions the device) runs first in the same transaction: both commit,
   * or neither does.
   */
  resolveUnknownDevice(
    gatewayId: string,
    friendlyName: string,
    at: number,
    resolution: string,
    alongside: () => void = () => undefined,
  ): Promise<number> {
    return this.#store.transaction(async () => {
      alongside();
      const ids = (await this.#store.unresolvedUnknownDevices(gatewayId))
        .filter((row) => friendlyNameOf(row.topic) === friendlyName)
        .map((row) => row.id);
      return this.#store.markResolved(ids, at, resolution);
    });
  }
}
