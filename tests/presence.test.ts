import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HubEvents } from '../kernel/bus.ts';
import { ManualClock } from '../kernel/clock.ts';
import { connectDevice } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

const MIN = 60_000;

describe('heartbeat deadlines (3 x the type interval), persisted across a restart', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hub-presence-'));
  let t: TestHub | null = null;
  afterEach(async () => {
    await t?.stop();
    t = null;
  });

  it('fires deviceSilent for a quiet button at 45 min, once, and again after a restart only if still quiet', async () => {
    const clock = new ManualClock(Date.parse('2026-11-28T08:00:00Z'));
    t = await startTestHub({}, { clock, dataDir });
    const silent: Array<HubEvents['deviceSilent']> = [];
    t.hub.bus.on('deviceSilent', 'test', (e) => {
      silent.push(e);
    });
    const button = await connectDevice(t, 'btn-quiet', 'button');
    const band = await connectDevice(t, 'wb-quiet', 'wristband');
    await button.telemetry({ battery: 80 });
    await band.telemetry({ heartRate: 70 });

    await clock.advanceAsync(14 * MIN); // wristband: 3 x 5 min = 15 min
    expect(silent).toEqual([]);
    await clock.advanceAsync(2 * MIN);
    expect(silent.map((e) => e.deviceId)).toEqual(['wb-quiet']);
    expect(silent[0]).toMatchObject({ deviceType: 'wristband', late: false });

    await band.telemetry({ heartRate: 71 }); // heard again: a new deadline
    await clock.advanceAsync(30 * MIN); // button: 3 x 15 min = 45 min since its heartbeat
    expect(silent.map((e) => e.deviceId)).toEqual(['wb-quiet', 'wb-quiet', 'btn-quiet']);
    await clock.advanceAsync(60 * MIN);
    expect(silent.filter((e) => e.deviceId === 'btn-quiet')).toHaveLength(1); // once per silence

    await button.end();
    await band.end();
    await t.stop();
    t = null;

    // The hub is down for 2 h; the wristband's deadline falls due meanwhile.
    await clock.advanceAsync(120 * MIN);
    const clock2 = new ManualClock(clock.now());
    t = await startTestHub({}, { clock: clock2, dataDir });
    const after: Array<HubEvents['deviceSilent']> = [];
    t.hub.bus.on('deviceSilent', 'test', (e) => {
      after.push(e);
    });
    await clock2.advanceAsync(1000);
    // Already-fired silences are not fired again; none is pending, since both were fired before the stop.
    expect(after).toEqual([]);
  });

  it('fires a deadline that fell due while the hub was down, at once and marked late', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-presence-'));
    const clock = new ManualClock(Date.parse('2026-11-28T08:00:00Z'));
    t = await startTestHub({}, { clock, dataDir: dir });
    const pir = await connectDevice(t, 'pir-quiet', 'motion');
    await pir.telemetry({ battery: 95 });
    await pir.end();
    await t.stop();
    t = null;

    const clock2 = new ManualClock(clock.now() + 4 * 60 * MIN); // motion: 3 x 60 min; hub down 4 h
    t = await startTestHub({}, { clock: clock2, dataDir: dir });
    const silent: Array<HubEvents['deviceSilent']> = [];
    t.hub.bus.on('deviceSilent', 'test', (e) => {
      silent.push(e);
    });
    await clock2.advanceAsync(1000);
    expect(silent).toHaveLength(1);
    expect(silent[0]).toMatchObject({
      deviceId: 'pir-quiet',
      late: true,
      deadlineAt: clock.now() + 3 * 60 * MIN,
    });
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives a provisioned device that never comes online a deadline too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-presence-'));
    const clock = new ManualClock(Date.parse('2026-11-28T08:00:00Z'));
    t = await startTestHub({}, { clock, dataDir: dir });
    await t.provisionDevice({ id: 'leak-never', type: 'leak' });
    await t.stop();
    t = await startTestHub({}, { clock, dataDir: dir });
    const silent: string[] = [];
    t.hub.bus.on('deviceSilent', 'test', (e) => {
      silent.push(e.deviceId);
    });
    await clock.advanceAsync(3 * 60 * MIN + 1000);
    expect(silent).toEqual(['leak-never']);
    rmSync(dir, { recursive: true, force: true });
  });
});
