import type {
  ButtonTelemetry,
  LeakTelemetry,
  MotionTelemetry,
  WaterMeterTelemetry,
  WristbandTelemetry,
} from '../ingest/schemas.ts';
import { SimDevice, type SimDeviceOptions } from './device.ts';

type Options = Omit<SimDeviceOptions, 'type'>;

/** One-button call unit (一键呼叫): sos, cancel, heartbeat at least every 15 min. */
export class SimButton extends SimDevice {
  constructor(opts: Options) {
    super({ ...opts, type: 'button' });
  }
  sos = () => this.event('sos');
  cancel = () => this.event('cancel');
  heartbeat = (t: ButtonTelemetry = { battery: 87 }) => this.telemetry(t);
}

/** Smart wristband (智能手环): sos, fall with confidence, removed/worn, vitals and position. */
export class SimWristband extends SimDevice {
  constructor(opts: Options) {
    super({ ...opts, type: 'wristband' });
  }
  sos = () => this.event('sos');
  /** confidence 0–1 */
  fall = (confidence: number) => this.event('fall', { confidence });
  removed = () => this.event('removed');
  worn = () => this.event('worn');
  vitals = (t: WristbandTelemetry) => this.telemetry(t);
}

/** PIR motion sensor (人体感应探测器): the room is the provisioned device's, not the message's. */
export class SimMotion extends SimDevice {
  constructor(opts: Options) {
    super({ ...opts, type: 'motion' });
  }
  motion = () => this.event('motion');
  clear = () => this.event('clear');
  heartbeat = (t: MotionTelemetry = { battery: 90 }) => this.telemetry(t);
}

/** Water-leak alarm (水浸报警器). */
export class SimLeak extends SimDevice {
  constructor(opts: Options) {
    super({ ...opts, type: 'leak' });
  }
  leak = () => this.event('leak');
  dry = () => this.event('dry');
  heartbeat = (t: LeakTelemetry = { battery: 95 }) => this.telemetry(t);
}

/** Smart water meter (智能水表): a cumulative register in litres and the flow in litres per minute. */
export class SimWaterMeter extends SimDevice {
  #totalLiters: number;
  constructor(opts: Options & { totalLiters?: number }) {
    super({ ...opts, type: 'water_meter' });
    this.#totalLiters = opts.totalLiters ?? 0;
  }
  /** Draws `liters` over the last reading and reports the register. */
  use = (liters: number, flowLpm = 0) => {
    this.#totalLiters += liters;
    return this.reading({ totalLiters: this.#totalLiters, flowLpm });
  };
  reading = (t: WaterMeterTelemetry) => this.telemetry(t);
  continuousFlow = (minutes: number) => this.event('continuous_flow', { minutes });
}
