import { silenceAfterMs } from '../../ingest/presence.ts';
import type { Scenario } from './context.ts';
import { liveFor, MIN } from './context.ts';

/** The presence sweep runs at least every 10 s: a deadline is noticed within that, plus a margin. */
const SWEEP_MARGIN_MS = MIN;

/**
 * A call button whose battery dies: heartbeats every 15 min reading 25, 18, 9 and 3 %, then nothing. The
 * hub raises battery low at 18 %, then the button silent (high: it is the resident's lifeline) 45 min
 * (3 × its 15-min interval) after its last heartbeat.
 */
export const buttonBatteryDies: Scenario = {
  name: 'button-battery-dies',
  title: 'a call button whose battery dies',
  alarms: ['battery_low', 'device_silent'],
  needs: {},
  hubTimeMs: () => 3 * 15 * MIN + silenceAfterMs('button') + SWEEP_MARGIN_MS,
  async run(h, ctx) {
    const readings = [25, 18, 9, 3];
    for (const [i, battery] of readings.entries()) {
      if (i > 0) await ctx.advance(15 * MIN);
      h.buttonBattery = battery;
      await h.button.heartbeat({ battery });
    }
    h.silenced.add(h.button.id);
    await liveFor(h, ctx, silenceAfterMs('button') + SWEEP_MARGIN_MS, undefined, 5 * MIN);
  },
  async restore(h) {
    // new batteries
    h.silenced.delete(h.button.id);
    h.buttonBattery = 100;
    await h.button.heartbeat({ battery: 100 });
  },
};

/**
 * A gateway going offline: its connection drops (the broker publishes its Last Will, `bridge/state`
 * offline) and the Zigbee sensors behind it go quiet with it; 3 h later (3 × a motion sensor's 60-min
 * interval) the hub raises them silent. The devices that connect themselves keep their heartbeats.
 */
export const gatewayOffline: Scenario = {
  name: 'gateway-offline',
  title: 'a gateway going offline',
  alarms: ['device_silent'],
  needs: { gateway: true },
  hubTimeMs: () => silenceAfterMs('motion') + SWEEP_MARGIN_MS,
  async run(h, ctx) {
    const gw = h.gateway;
    if (!gw) throw new Error(`${h.id} has no gateway`);
    await h.heartbeats();
    // Drop the TCP connection without DISCONNECT, so the broker publishes the Last Will.
    gw.client.stream.destroy();
    gw.client.end(true);
    h.silenced.add(gw.id);
    await liveFor(h, ctx, silenceAfterMs('motion') + SWEEP_MARGIN_MS);
  },
  async restore(h) {
    if (!h.gateway) return;
    await h.gateway.connect();
    h.silenced.delete(h.gateway.id);
    await h.heartbeats();
  },
};

/** The bad messages the garbage scenario sends, with the error code the hub answers for each. */
export const GARBAGE: Array<{ channel: 'event' | 'telemetry'; payload: string; code: string }> = [
  { channel: 'event', payload: '{"event":"motion","seq":', code: 'invalid_json' },
  { channel: 'event', payload: '\u0000\u0001binary', code: 'invalid_json' },
  { channel: 'event', payload: '{"event":"dance","seq":900}', code: 'unknown_event' },
  { channel: 'event', payload: '{"event":"motion","seq":"nine"}', code: 'invalid_payload' },
  { channel: 'event', payload: '{"event":"motion"}', code: 'invalid_payload' },
  { channel: 'telemetry', payload: '{"battery":250}', code: 'invalid_payload' },
  { channel: 'telemetry', payload: '[1,2,3]', code: 'invalid_json' },
  {
    channel: 'telemetry',
    payload: JSON.stringify({ battery: 50, pad: 'x'.repeat(17 * 1024) }),
    code: 'too_large',
  },
];
/** Bad messages a device may send before the hub flags it as faulty (ingest/intake.ts). */
export const FAULTY_AFTER = 20;

/**
 * A device sending garbage: the bedroom motion sensor sends FAULTY_AFTER bad messages (broken JSON,
 * binary, an unknown event, wrong types, a missing seq, out of range, too large). None is stored as good
 * or raises an alarm: each is quarantined, answered on the device's `error` topic, and the sensor is
 * flagged as faulty.
 */
export const garbage: Scenario = {
  name: 'garbage',
  title: 'a device sending garbage',
  alarms: [],
  needs: {},
  hubTimeMs: () => 0,
  async run(h, ctx) {
    const sensor = h.motion.bedroom;
    if (!sensor) throw new Error(`${h.id} has no bedroom motion sensor`);
    for (let i = 0; i < FAULTY_AFTER; i++) {
      const bad = GARBAGE[i % GARBAGE.length] as (typeof GARBAGE)[number];
      await sensor.raw(bad.channel, bad.payload);
      await ctx.advance(1000);
    }
  },
};
