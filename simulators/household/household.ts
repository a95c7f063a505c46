import { connectWithRetry, type RetryOptions } from '../connect-retry.ts';
import { SimButton, SimLeak, SimMotion, SimWaterMeter, SimWristband } from '../device-types.ts';
import { SimGateway } from '../gateway.ts';
import type { HomeRoom, HouseholdSpec } from './spec.ts';

/** Metres per degree of latitude (WGS84, near enough for a walk round the block). */
const M_PER_DEG_LAT = 111_320;

/**
 * A simulated home: the resident's five kinds of device (and optionally a Zigbee2MQTT gateway), each
 * connecting with its own provisioned credentials and publishing exactly what the device protocol says.
 * The methods are the things that happen in a home (someone moves in a room, water runs, the resident
 * walks with the wristband); the day model (day-plan.ts) and the scenarios call them.
 */
export class SimHousehold {
  readonly spec: HouseholdSpec;
  readonly button: SimButton;
  readonly wristband: SimWristband;
  readonly motion: Partial<Record<HomeRoom, SimMotion>> = {};
  readonly leak: SimLeak;
  readonly meter: SimWaterMeter;
  readonly gateway: SimGateway | null;
  /** device ids whose heartbeats stop (a dead battery, a pulled plug): `heartbeats()` leaves them out */
  readonly silenced = new Set<string>();
  /** the wristband's last reported position */
  position: { lat: number; lon: number };
  steps = 0;
  buttonBattery = 87;
  wristbandBattery = 80;

  constructor(spec: HouseholdSpec, url: string, secrets: ReadonlyMap<string, string>) {
    this.spec = spec;
    const secret = (id: string) => {
      const s = secrets.get(id);
      if (s === undefined) throw new Error(`no secret for ${id}: provision the household first`);
      return s;
    };
    const opts = (id: string) => ({ url, id, secret: secret(id) });
    this.button = new SimButton(opts(spec.button));
    this.wristband = new SimWristband(opts(spec.wristband));
    for (const [room, id] of Object.entries(spec.motion))
      this.motion[room as HomeRoom] = new SimMotion(opts(id));
    this.leak = new SimLeak(opts(spec.leak));
    // a register that has run for a few years
    this.meter = new SimWaterMeter({ ...opts(spec.meter), totalLiters: 120_000 + spec.index * 1000 });
    this.gateway = spec.gateway ? new SimGateway(opts(spec.gateway.id)) : null;
    this.position = { ...spec.location };
  }

  get id(): string {
    return this.spec.id;
  }

  /** Every device that connects itself, and the gateway. */
  get clients(): Array<{ id: string; connect(): Promise<unknown>; end(): Promise<void> }> {
    return [
      this.button,
      this.wristband,
      ...Object.values(this.motion),
      this.leak,
      this.meter,
      ...(this.gateway ? [this.gateway] : []),
    ];
  }

  /**
   * Connects every device and the gateway, each retried while the hub is too busy to answer in time
   * (connect-retry.ts). If one cannot connect, the others are closed again and its error is thrown.
   */
  async connect(retry: RetryOptions = {}): Promise<this> {
    const tries = await Promise.allSettled(
      this.clients.map((c) => connectWithRetry(c.id, () => c.connect(), retry)),
    );
    const failed = tries.find((t) => t.status === 'rejected');
    if (failed) {
      await this.end();
      throw failed.reason;
    }
    return this;
  }

  async end(): Promise<void> {
    await Promise.allSettled(this.clients.map((c) => c.end()));
  }

  /** Movement in a room: the room's motion sensor, native or behind the gateway (occupancy). */
  moveIn(room: HomeRoom): Promise<unknown> {
    const own = this.motion[room];
    if (own) return own.motion();
    const zigbee = this.spec.gateway?.devices.find((d) => d.type === 'motion' && d.room === room);
    if (zigbee && this.gateway)
      return this.gateway.device(zigbee.friendlyName, { occupancy: true, linkquality: 120 });
    return Promise.resolve();
  }

  /** `liters` drawn since the last reading; the reading shows the register and the flow now. */
  useWater(liters: number, flowLpmNow = 0): Promise<unknown> {
    return this.meter.use(liters, flowLpmNow);
  }

  /** The wristband's vitals and, when given, a position `north`/`east` metres from home. */
  vitals(offset?: { north: number; east: number }, extra: Record<string, unknown> = {}): Promise<unknown> {
    if (offset) {
      const lat = this.spec.location.lat + offset.north / M_PER_DEG_LAT;
      const lon = this.spec.location.lon + offset.east / (M_PER_DEG_LAT * Math.cos((lat * Math.PI) / 180));
      this.position = { lat: Number(lat.toFixed(6)), lon: Number(lon.toFixed(6)) };
    }
    return this.wristband.vitals({
      heartRate: 68 + (this.steps % 9),
      spo2: 97,
      steps: this.steps,
      battery: this.wristbandBattery,
      ...this.position,
      accuracy: 12,
      ...extra,
    });
  }

  /**
   * One heartbeat from every device not silenced: the button's battery, the wristband's vitals, the
   * sensors' batteries, the meter's register (no flow), the Zigbee devices' battery and link quality.
   */
  async heartbeats(): Promise<void> {
    const alive = (id: string) => !this.silenced.has(id);
    const sends: Array<Promise<unknown>> = [];
    if (alive(this.button.id)) sends.push(this.button.heartbeat({ battery: this.buttonBattery }));
    if (alive(this.wristband.id)) sends.push(this.vitals());
    for (const m of Object.values(this.motion)) if (alive(m.id)) sends.push(m.heartbeat({ battery: 90 }));
    if (alive(this.leak.id)) sends.push(this.leak.heartbeat({ battery: 95 }));
    if (alive(this.meter.id)) sends.push(this.meter.use(0, 0));
    if (this.gateway && alive(this.gateway.id))
      for (const d of this.spec.gateway?.devices ?? [])
        sends.push(this.gateway.device(d.friendlyName, { battery: 91, linkquality: 110 }));
    await Promise.all(sends);
  }
}
