import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceType } from '../kernel/contract.ts';
import { SimDevice } from '../simulators/device.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

/**
 * After a restart every device connects at once and each first connect costs one scrypt of its secret
 * (tens of ms of CPU). The call buttons and wristbands must not wait behind the motion sensors.
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
      const secret = await hub.provisionDevice({ id, type });
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
    await new Promise((r) => setTimeout(r, 60));
    all.push(connect(button));
    await Promise.all(all);
    expect(order).toHaveLength(11);
    // At most the verifications already running when it came (one per core) are ahead of it.
    expect(order.indexOf('btn-1')).toBeLessThan(5);
  });
});
