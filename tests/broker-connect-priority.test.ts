import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceType } from '../kernel/contract.ts';
import { SimDevice, until } from '../simulators/device.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

/**
 * Devices provisioned before the fast keyed hash carry scrypt hashes: after a restart each first connect
 * of such a device costs one scrypt (tens of ms of CPU) until it is upgraded. The call buttons and
 * wristbands must not wait behind the motion sensors.
 */
describe('broker: the lifeline is verified first when connects queue', () => {
  let t: TestHub | null = null;
  const devices: SimDevice[] = [];
  afterEach(async () => {
    for (const d of devices.splice(0)) d.kill();
    await t?.stop();
    t = null;
  });

  it('connects a call button ahead of the motion sensors that knocked before it', async () => {
    t = await startTestHub();
    const hub = t;
    const make = async (id: string, type: DeviceType) => {
      const secret = await hub.provisionLegacyDevice({ id, type });
      const d = new SimDevice({ url: hub.mqttUrl, id, secret, type });
      devices.push(d);
      return d;
    };
    const sensors = await Promise.all(Array.from({ length: 10 }, (_, i) => make(`pir-${i}`, 'motion')));
    const button = await make('btn-1', 'button');
    const order: string[] = [];
    const connect = (d: SimDevice) => d.connect().then(() => order.push(d.id));
    const all = sensors.map(connect);
    // the sensors' CONNECTs are queued for scrypt before the button knocks
    await until(() => hub.hub.metrics.value('hub_mqtt_auth_waiting') >= 5, 3000, 'sensors queued');
    const connectedBefore = order.length;
    all.push(connect(button));
    await Promise.all(all);
    expect(order).toHaveLength(11);
    // Ahead of it: the sensors connected before it knocked, the verifications then running (one per
    // core), and at most one more that started while its CONNECT was on its way (its own round trip and
    // its identity read). Without the priority it would come after every sensor queued before it (10th).
    expect(order.indexOf('btn-1')).toBeLessThanOrEqual(connectedBefore + availableParallelism() + 1);
  });
});
