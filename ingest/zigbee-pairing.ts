/**
 * Pairing: remembers per gateway the Zigbee devices its Zigbee2MQTT announces on `bridge/devices` and
 * `bridge/event`, so the admin page can show those the hub has not provisioned. Runs in the broker's
 * publish handler before the intake (which counts these topics as gateway housekeeping); the write goes
 * into the same group commit, so what the gateway was acknowledged is on disk.
 */
import type { PublishContext } from '../broker/broker.ts';
import type { Clock } from '../kernel/clock.ts';
import { parseTopic } from '../kernel/contract.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { Registry } from '../kernel/registry/index.ts';
import type { GroupCommit } from './store/group-commit.ts';
import type { PairingStore } from './store/types.ts';
import { type BridgeUpdate, decodeBridgeDevices, decodeBridgeEvent } from './zigbee-bridge-messages.ts';

// A Map, not an object literal: a subtopic such as `constructor` must find nothing.
const DECODERS = new Map<string, (payload: Uint8Array) => BridgeUpdate>([
  ['bridge/devices', decodeBridgeDevices],
  ['bridge/event', decodeBridgeEvent],
]);

export class ZigbeePairing {
  readonly #d: {
    store: PairingStore;
    commit: GroupCommit;
    registry: Registry;
    clock: Clock;
    log: Logger;
  };
  readonly #updates;

  constructor(deps: {
    store: PairingStore;
    commit: GroupCommit;
    registry: Registry;
    clock: Clock;
    log: Logger;
    metrics: Metrics;
  }) {
    this.#d = deps;
    this.#updates = deps.metrics.counter(
      'hub_zigbee_pairing_updates_total',
      "Zigbee2MQTT bridge/devices and bridge/event messages, by what they did to the gateway's known devices (list, seen, left, ignored, invalid)",
    );
  }

  /** Resolves once what `ctx` says about the gateway's network is durable; at once for anything else. */
  async observe(ctx: PublishContext): Promise<void> {
    if (ctx.kind !== 'gateway') return;
    const parsed = parseTopic(ctx.topic);
    const decode = parsed?.kind === 'gateway' ? DECODERS.get(parsed.subtopic) : undefined;
    if (parsed?.kind !== 'gateway' || !decode) return;
    const gateway = await this.#d.registry.devices.getGateway(parsed.gatewayId);
    if (!gateway || gateway.id !== ctx.clientId) return;
    const update = decode(ctx.payload);
    this.#updates.inc({ kind: update.kind });
    if (update.kind === 'invalid' || update.kind === 'ignored') {
      if (update.kind === 'invalid')
        this.#d.log.debug(
          { gatewayId: gateway.id, detail: update.detail },
          'pairing: unusable bridge message',
        );
      return;
    }
    if (update.kind === 'list' && update.skipped > 0)
      this.#d.log.warn(
        { gatewayId: gateway.id, skipped: update.skipped },
        'pairing: bridge/devices entries skipped',
      );
    const at = this.#d.clock.now();
    const { store } = this.#d;
    try {
      await this.#d.commit.enqueue(() => {
        if (update.kind === 'list') return store.replace(gateway.id, update.devices, at);
        if (update.kind === 'seen') return store.seen(gateway.id, update.device, at);
        return store.left(gateway.id, update.ieeeAddress);
      });
    } catch (err) {
      if (ctx.qos > 0) throw err; // not acknowledged: the gateway sends it again
      this.#d.log.error({ err, gatewayId: gateway.id }, 'pairing: QoS 0 bridge message not stored');
    }
  }
}
