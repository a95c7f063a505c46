import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { until } from '../simulators/device.ts';
import { apiClient } from './helpers/api.ts';
import { connectDevice } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

// Issue 24, item 3 (one clock): the rules' words about time use the same configured local time as the
// pages and the reports (historyUtcOffsetMinutes), not a second default of their own.
describe('one local time for the whole hub', () => {
  let t: TestHub | null = null;
  afterAll(async () => {
    await t?.stop();
  });

  it('words a resident’s cancel in the configured local time', async () => {
    // 01:00 UTC: 02:00 in a county at UTC+1 (09:00 in the default UTC+8)
    const clock = new ManualClock(Date.parse('2026-12-04T01:00:00Z'));
    t = await startTestHub({ historyUtcOffsetMinutes: 60 }, { clock });
    const button = await connectDevice(t, 'btn-lt', 'button');
    try {
      await button.event('sos');
      await button.event('cancel');
    } finally {
      await button.end();
    }
    const api = apiClient(t.httpUrl);
    const token = await t.login();
    let explanation = '';
    await until(
      async () => {
        const list = (await api('GET', '/api/incidents?active=true', { token })).body as Array<{
          explanation: { en: string };
        }>;
        explanation = list[0]?.explanation.en ?? '';
        return explanation.includes('cancelled by resident');
      },
      3000,
      'the cancel in the incident',
    );
    expect(explanation).toContain('cancelled by resident at 02:00');
  });
});
