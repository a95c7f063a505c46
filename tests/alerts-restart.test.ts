import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { SimMotion } from '../simulators/device-types.ts';
import { type AlertsHub, connectSim, HOUR, MIN, MORNING, startAlertsHub } from './helpers/alerts.ts';

describe('rule timers and open alarms across a restart', () => {
  let h: AlertsHub | null = null;
  const dirs: string[] = [];
  afterEach(async () => {
    await h?.t.stop();
    h = null;
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('fires a pending bathroom timer on time after a restart in the middle', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-alerts-'));
    dirs.push(dir);
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock, dir);
    const bath = await connectSim(h.t, (o) => new SimMotion(o), 'pir-bath', 'bathroom');
    await bath.motion();
    await clock.advanceAsync(20 * MIN);
    await bath.end();
    await h.t.stop();
    h = null;

    const clock2 = new ManualClock(clock.now() + 5 * MIN); // down for 5 min
    h = await startAlertsHub(clock2, dir);
    await clock2.advanceAsync(19 * MIN); // 44 min since the movement
    expect(h.of('bathroom_inactivity')).toEqual([]);
    await clock2.advanceAsync(MIN);
    const raised = await h.waitFor('bathroom_inactivity');
    expect(raised.alarm).toMatchObject({ late: false, openedAt: MORNING + 45 * MIN });
    expect(await h.alarms('bathroom_inactivity')).toHaveLength(1);
  });

  it('fires a timer that fell due while the hub was down at once, marked late, and keeps deduplicating after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-alerts-'));
    dirs.push(dir);
    const clock = new ManualClock(MORNING);
    h = await startAlertsHub(clock, dir);
    const bath = await connectSim(h.t, (o) => new SimMotion(o), 'pir-bath', 'bathroom');
    await bath.motion();
    await clock.advanceAsync(20 * MIN);
    await bath.end();
    await h.t.stop();
    h = null;

    const restartAt = clock.now() + HOUR; // down past the 45 min
    const clock2 = new ManualClock(restartAt);
    h = await startAlertsHub(clock2, dir);
    await clock2.advanceAsync(0);
    const raised = await h.waitFor('bathroom_inactivity');
    expect(raised.alarm).toMatchObject({ late: true, openedAt: restartAt });
    expect(raised.alarm.explanation.en).toBe(
      'last movement in the bathroom at 09:00; none elsewhere for 1 h 20 min (late: due at 09:45 while the hub was down)',
    );
    const id = raised.alarm.id;
    await h.t.stop();
    h = null;

    // The open alarm survives a restart: a new trigger folds into it.
    const clock3 = new ManualClock(restartAt + MIN);
    h = await startAlertsHub(clock3, dir);
    expect(await h.alarms('bathroom_inactivity')).toEqual([expect.objectContaining({ id, status: 'open' })]);
    const bath2 = await connectSim(h.t, (o) => new SimMotion(o), 'pir-bath', 'bathroom');
    await bath2.motion();
    await clock3.advanceAsync(45 * MIN);
    const updated = await h.waitFor('bathroom_inactivity', 'alarmUpdated');
    expect(updated.alarm).toMatchObject({ id, count: 2 });
  });
});
