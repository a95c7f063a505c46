import { createHash } from 'node:crypto';
import type { PublishContext } from '../broker/broker.ts';
import type { EventBus, HubEvents } from '../kernel/bus.ts';
import type { Clock } from '../kernel/clock.ts';
import { parseTopic } from '../kernel/contract.ts';
import type { Logger } from '../kernel/logger.ts';
import type { Metrics } from '../kernel/metrics.ts';
import type { Registry } from '../kernel/registry/index.ts';
import { KeyedTokenBucket } from '../kernel/token-bucket.ts';
import type { CanonicalMessage, DecodeFailure, DecodeResult } from './canonical.ts';
import { decodeNative } from './decode-native.ts';
import { decodeBridgeState, decodeZigbee, decodeZigbeeAvailability } from './decode-zigbee.ts';
import type { SeqDeduper } from './dedupe.ts';
import { classifyGatewaySubtopic } from './gateway-topics.ts';
import type { InCommitProcessors } from './in-commit.ts';
import { laneOf } from './life-safety.ts';
import type { Presence } from './presence.ts';
import { TelemetryRateGate } from './rate-gate.ts';
import type { GroupCommit } from './store/group-commit.ts';
import type { IntakeStore } from './store/types.ts';

/** Bad messages from one device before it is flagged to operators as faulty. */
const FAULTY_AFTER = 20;
/**
 * Telemetry messages a device may have delayed by its rate per fault counted (`telemetry_flood`): a
 * backlog flush of a few hundred messages is no fault, a device that keeps flooding (20 × 100 delayed
 * messages, i.e. ~7 min at twice its rate) is flagged as faulty.
 */
const DELAYED_PER_FAULT = 100;

export interface IntakeDeps {
  /** a device's telemetry allowance (config deviceTelemetryPerSecond / deviceTelemetryBurst) */
  telemetryRate: { perSecond: number; burst: number };
  registry: Registry;
  bus: EventBus;
  clock: Clock;
  log: Logger;
  metrics: Metrics;
  store: IntakeStore;
  commit: GroupCommit;
  dedupe: SeqDeduper;
  presence: Presence;
  /** run inside the transaction that stores each accepted message (the rule engine) */
  inCommit: InCommitProcessors;
  /** answers a device on its `error` topic (QoS 0) */
  answer: (clientId: string, body: { code: string; seq: number | null; detail: string }) => void;
}

type MeterFault = HubEvents['meterFault'];

type Rejection =
  | Pick<DecodeFailure, 'code' | 'detail' | 'seq'>
  | { code: 'rate_limited'; detail: string; seq: number | null };

/**
 * The durable intake pipeline, run from the broker's authorizePublish: decode and validate, drop
 * duplicates, then write to the store in a group commit. The returned promise resolves only once the
 * message (or its quarantine entry) is on disk; the broker acknowledges the device after that.
 */
export class Intake {
  readonly #d: IntakeDeps;
  // device-protocol.md: sustained 5 messages/s, bursts of 50; QoS 1/2 above it waits (backpressure).
  readonly #telemetryRate: TelemetryRateGate;
  readonly #delayedByDevice = new Map<string, number>();
  readonly #eventRate: KeyedTokenBucket;
  // Bound on quarantine writes per device (10/s, bursts of 100); beyond it bad input is only counted.
  readonly #quarantineRate: KeyedTokenBucket;
  // Bound on error answers per device (1/s, bursts of 5), so bad input cannot amplify traffic.
  readonly #answerRate: KeyedTokenBucket;
  readonly #meterTotals = new Map<string, number | null>();
  readonly #accepted;
  readonly #duplicates;
  readonly #rejected;
  readonly #suppressed;
  readonly #ignored;
  readonly #lostQos0;
  readonly #delayed;

  constructor(deps: IntakeDeps) {
    this.#d = deps;
    this.#telemetryRate = new TelemetryRateGate({ clock: deps.clock, ...deps.telemetryRate });
    this.#eventRate = new KeyedTokenBucket({ clock: deps.clock, burst: 50, perSecond: 5 });
    this.#quarantineRate = new KeyedTokenBucket({ clock: deps.clock, burst: 100, perSecond: 10 });
    this.#answerRate = new KeyedTokenBucket({ clock: deps.clock, burst: 5, perSecond: 1 });
    const m = deps.metrics;
    this.#accepted = m.counter(
      'hub_ingest_accepted_total',
      'Device messages accepted and stored, by channel',
      ['channel'],
    );
    this.#duplicates = m.counter(
      'hub_ingest_duplicates_total',
      'Retransmissions recognised by (device, seq)',
    );
    this.#rejected = m.counter('hub_ingest_rejected_total', 'Bad input, by error code');
    this.#suppressed = m.counter(
      'hub_ingest_quarantine_suppressed_total',
      'Bad input counted but not quarantined because the device exceeded the quarantine write bound',
    );
    this.#ignored = m.counter(
      'hub_ingest_gateway_metadata_total',
      'Zigbee2MQTT housekeeping messages (bridge/*, set/get), not device data',
    );
    this.#lostQos0 = m.counter('hub_ingest_qos0_lost_total', 'QoS 0 messages that could not be stored');
    this.#delayed = m.counter(
      'hub_ingest_rate_delayed_total',
      'QoS 1/2 telemetry held back by its device rate (the connection is not read meanwhile)',
    );
    m.gauge(
      'hub_ingest_rate_waiting',
      'QoS 1/2 telemetry messages waiting for their device rate now',
      () => this.#telemetryRate.waiting,
    );
  }

  /** Lets every message waiting for its rate go unacknowledged (the hub is stopping). */
  releaseWaiting(): void {
    this.#telemetryRate.release();
  }

  /** Handles one PUBLISH that passed the topic ACL. Resolves when it is durable. */
  async handle(ctx: PublishContext): Promise<void> {
    try {
      await (ctx.kind === 'gateway' ? this.#fromGateway(ctx) : this.#fromDevice(ctx));
    } catch (err) {
      if (ctx.qos > 0) throw err; // not acknowledged: the device sends it again
      this.#lostQos0.inc();
      this.#d.log.error({ err, clientId: ctx.clientId }, 'QoS 0 message could not be stored');
    }
  }

  async #fromDevice(ctx: PublishContext): Promise<void> {
    const parsed = parseTopic(ctx.topic);
    const device = await this.#d.registry.devices.get(ctx.clientId);
    if (!device || parsed?.kind !== 'device')
      return this.#reject(ctx, null, { code: 'unknown_device', detail: ctx.topic, seq: null });
    if (parsed.channel === 'telemetry') {
      const admission = this.#telemetryRate.admit(device.id, ctx.qos, ctx);
      if (admission === 'refused') {
        return this.#reject(ctx, device.id, {
          code: 'rate_limited',
          detail: `QoS 0 telemetry over ${this.#d.telemetryRate.perSecond} messages/s sustained, bursts of ${this.#d.telemetryRate.burst}`,
          seq: null,
        });
      }
      if (admission !== 'admitted') {
        this.#countDelayed(device.id);
        // Not admitted: the connection closed while the message waited; unacknowledged, so it is resent.
        if (!(await admission)) throw new Error('connection closed while its telemetry waited for its rate');
      }
    }
    if (parsed.channel === 'event' && !this.#eventRate.take(device.id)) {
      // An event is never refused for rate alone, but a device that floods events is faulty.
      this.#countFault(device.id, 'event_flood');
    }
    // received when the broker got the PUBLISH (a telemetry message may have waited for its rate since)
    const result = decodeNative(device, parsed.channel, ctx.payload, ctx.receivedAt);
    await this.#store(ctx, device.id, result);
  }

  async #fromGateway(ctx: PublishContext): Promise<void> {
    const parsed = parseTopic(ctx.topic);
    const gateway =
      parsed?.kind === 'gateway' ? await this.#d.registry.devices.getGateway(parsed.gatewayId) : null;
    if (parsed?.kind !== 'gateway' || !gateway) {
      return this.#reject(ctx, null, { code: 'unknown_device', detail: ctx.topic, seq: null });
    }
    const sub = classifyGatewaySubtopic(parsed.subtopic);
    const ref = { id: gateway.id, householdId: gateway.householdId };
    // The one Zigbee device the topic names, looked up before decoding (the decoders are synchronous).
    // A disabled one is treated like an unprovisioned one: its input is kept, not used.
    const named =
      sub.kind === 'availability' || sub.kind === 'device'
        ? await this.#d.registry.devices.byFriendlyName(gateway.id, sub.friendlyName)
        : null;
    const lookup = (name: string) =>
      'friendlyName' in sub && name === sub.friendlyName && named?.enabled ? named : null;
    const now = ctx.receivedAt;
    switch (sub.kind) {
      case 'bridge_state': {
        const state = decodeBridgeState(ctx.payload);
        if (!state.ok) return this.#reject(ctx, null, state);
        return this.#d.presence.setState(gateway.id, 'gateway', state.state, 'bridge/state');
      }
      case 'bridge':
      case 'request':
        // bridge/info, bridge/devices, {name}/set …: Zigbee2MQTT housekeeping, not device data; counted.
        this.#ignored.inc({ kind: sub.kind });
        return;
      case 'invalid':
        return this.#reject(ctx, null, { code: 'invalid_payload', detail: `topic: ${ctx.topic}`, seq: null });
      case 'availability': {
        // Zigbee2MQTT's word about the device, retained and replayed on every bridge reconnect: it sets
        // presence only, and never counts as hearing from the device (its silence deadline runs on).
        const result = decodeZigbeeAvailability(ref, sub.friendlyName, lookup, ctx.payload, now);
        if (!result.ok) return this.#storeZigbee(ctx, sub.friendlyName, result);
        for (const m of result.messages)
          if (m.status)
            await this.#d.presence.setState(m.deviceId, 'device', m.status, 'zigbee2mqtt availability');
        return;
      }
      case 'device':
        return this.#storeZigbee(
          ctx,
          sub.friendlyName,
          decodeZigbee(ref, sub.friendlyName, lookup, ctx.payload, now),
        );
    }
  }

  #storeZigbee(ctx: PublishContext, friendlyName: string, result: DecodeResult): Promise<void> {
    if (!result.ok)
      return this.#reject(ctx, null, { ...result, detail: `${friendlyName}: ${result.detail}` });
    return this.#store(ctx, null, result);
  }

  async #store(ctx: PublishContext, deviceId: string | null, result: DecodeResult): Promise<void> {
    if (!result.ok) return this.#reject(ctx, deviceId, result);
    // The payload's digest tells a retransmission from a new message with a reused seq: only for seq'd ones.
    const hash = result.messages.some((m) => m.seq !== null)
      ? createHash('sha1').update(ctx.payload).digest('base64url')
      : '';
    // What the deduper remembers a fresh message by until it is durable: a copy arriving meanwhile waits
    // for it. Settled with the commit below; awaited only by such copies, if any.
    const settled = Promise.withResolvers<void>();
    settled.promise.catch(() => undefined);
    const fresh: CanonicalMessage[] = [];
    for (const m of result.messages) {
      if (m.seq !== null) {
        // (A payload carries at most one seq'd message: native ones are one message, Zigbee ones have no seq.)
        let verdict = this.#d.dedupe.admit(m.deviceId, m.seq, hash, m.receivedAt, settled.promise);
        if (verdict instanceof Promise) verdict = await verdict;
        if (verdict.duplicate) {
          this.#duplicates.inc();
          await verdict.durable; // acknowledge the copy only once the first one is on disk
          continue;
        }
      }
      fresh.push(m);
    }
    if (fresh.length === 0) return;
    const ids: number[] = [];
    let meterFaults: MeterFault[] = [];
    let durable: Promise<void>;
    try {
      for (const m of fresh)
        if (m.readings?.totalLiters !== undefined) meterFaults = meterFaults.concat(await this.#meter(m));
      const faults = meterFaults;
      const { store } = this.#d;
      durable = this.#d.commit.enqueue(async () => {
        for (let i = 0; i < fresh.length; i++) {
          const m = fresh[i] as CanonicalMessage;
          ids[i] = await store.insertMessage(m, ctx.qos, m.seq === null ? null : hash);
          if (m.readings?.totalLiters !== undefined)
            await store.setMeterTotal(m.deviceId, m.readings.totalLiters, m.receivedAt);
        }
        for (const f of faults)
          await store.recordMeterFault(f.deviceId, f.at, f.previousLiters, f.reportedLiters);
        for (const m of fresh) await this.#d.inCommit.run(m);
      }, laneOf(fresh));
    } catch (err) {
      this.#notStored(fresh, settled.promise);
      settled.reject(err);
      throw err;
    }
    durable.then(settled.resolve, settled.reject);
    const wasSilent = fresh.map((m) => this.#d.presence.isSilent(m.deviceId));
    try {
      await durable;
    } catch (err) {
      this.#notStored(fresh, settled.promise);
      throw err;
    }
    for (let i = 0; i < fresh.length; i++) {
      const m = fresh[i] as CanonicalMessage;
      this.#d.presence.heard(m.deviceId, m.deviceType, m.receivedAt);
      this.#accepted.inc({ channel: m.channel });
      if (wasSilent[i])
        await this.#d.bus.emit('deviceHeard', {
          deviceId: m.deviceId,
          householdId: m.householdId,
          at: m.receivedAt,
        });
      if (m.status) await this.#d.presence.setState(m.deviceId, 'device', m.status, 'status');
      await this.#d.bus.emit('messageStored', { id: ids[i] ?? 0, message: m });
      await this.#d.bus.emit('messageAccepted', m);
    }
    for (const f of meterFaults) {
      this.#countFault(f.deviceId, 'meter_register_backwards');
      await this.#d.bus.emit('meterFault', f);
    }
  }

  /** The commit of `fresh` failed: a resend is taken as new, and the meters start again from the store. */
  #notStored(fresh: readonly CanonicalMessage[], durable: Promise<void>): void {
    for (const m of fresh) {
      if (m.seq !== null) this.#d.dedupe.forget(m.deviceId, m.seq, durable);
      this.#meterTotals.delete(m.deviceId);
    }
  }

  /**
   * Water use is the register's growth. A register that goes backwards (fault or replacement) is a meter
   * fault: the new value becomes the baseline and no negative use is ever derived from it.
   */
  async #meter(m: CanonicalMessage): Promise<MeterFault[]> {
    const total = m.readings?.totalLiters;
    if (total === undefined || !m.readings) return [];
    let previous = this.#meterTotals.get(m.deviceId);
    if (previous === undefined) {
      const stored = await this.#d.store.meterTotal(m.deviceId);
      // a message of the device handled while the store answered is newer than what it said
      previous = this.#meterTotals.get(m.deviceId) ?? stored;
    }
    this.#meterTotals.set(m.deviceId, total);
    if (previous === null) return [];
    if (total < previous) {
      m.readings.meterFault = 'register_backwards';
      return [
        {
          deviceId: m.deviceId,
          householdId: m.householdId,
          previousLiters: previous,
          reportedLiters: total,
          at: m.receivedAt,
        },
      ];
    }
    m.readings.usageLiters = total - previous;
    return [];
  }

  async #reject(ctx: PublishContext, deviceId: string | null, r: Rejection): Promise<void> {
    const at = this.#d.clock.now();
    this.#rejected.inc({ code: r.code });
    const faultId = deviceId ?? ctx.clientId;
    this.#countFault(faultId, r.code);
    if (this.#answerRate.take(ctx.clientId))
      this.#d.answer(ctx.clientId, { code: r.code, seq: r.seq, detail: r.detail });
    await this.#d.bus.emit('inputQuarantined', {
      clientId: ctx.clientId,
      deviceId,
      code: r.code,
      detail: r.detail,
      at,
    });
    if (!this.#quarantineRate.take(faultId)) {
      this.#suppressed.inc({ code: r.code });
      return;
    }
    const { store } = this.#d;
    await this.#d.commit.enqueue(() =>
      store.insertQuarantine({
        at,
        clientId: ctx.clientId,
        deviceId,
        topic: ctx.topic,
        code: r.code,
        detail: r.detail,
        seq: r.seq,
        payload: ctx.payload,
      }),
    );
  }

  /** A fault the broker saw below the payload (see `deviceMisbehaved`); counted like bad input. */
  countFault(clientId: string, code: string): void {
    this.#rejected.inc({ code });
    this.#countFault(clientId, code);
  }

  #countDelayed(deviceId: string): void {
    this.#delayed.inc();
    const n = (this.#delayedByDevice.get(deviceId) ?? 0) + 1;
    if (n < DELAYED_PER_FAULT) {
      this.#delayedByDevice.set(deviceId, n);
      return;
    }
    this.#delayedByDevice.delete(deviceId);
    this.#countFault(deviceId, 'telemetry_flood');
  }

  /**
   * Per-device fault counter, persisted in the next group commit (no sync of its own); flags the device
   * once it crosses FAULTY_AFTER.
   */
  #countFault(deviceId: string, code: string): void {
    const at = this.#d.clock.now();
    const { store } = this.#d;
    let flaggedNow: number | null = null;
    // Not awaited: a fault counter rides along in the next group commit, nobody waits for it.
    void this.#d.commit
      .enqueue(async () => {
        const { count, flagged } = await store.bumpFault(deviceId, code, at);
        if (count >= FAULTY_AFTER && !flagged) {
          await store.flagFaulty(deviceId, at);
          flaggedNow = count;
        }
      })
      .then(
        async () => {
          if (flaggedNow === null) return;
          await this.#d.bus.emit('deviceFaulty', { deviceId, count: flaggedNow, lastCode: code, at });
          this.#d.log.warn({ deviceId, count: flaggedNow, lastCode: code }, 'device flagged as faulty');
        },
        (err: unknown) => this.#d.log.error({ err, deviceId }, 'fault counter not stored'),
      );
  }
}
