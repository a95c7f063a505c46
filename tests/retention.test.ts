import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { connectDevice, storedMessages } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

const DAY = 24 * 60 * 60_000;

describe('retention of the embedded store', () => {
  let t: TestHub | null = null;
  afterEach(async () => {
    await t?.stop();
    t = null;
  });

  it('deletes old messages only once InfluxDB and the local history have them, and old audit rows', async () => {
    const clock = new ManualClock(Date.parse('2026-10-01T08:00:00Z'));
    t = await startTestHub({ messageRetentionDays: 30, auditRetentionDays: 180 }, { clock });
    const pir = await connectDevice(t, 'pir-old', 'motion');
    await pir.event('motion');
    await pir.raw('telemetry', 'not json', 1);
    await pir.end();
    const stored = storedMessages(t, 'pir-old').length;
    expect(stored).toBeGreaterThan(0);

    // Jump (set, not advance): a month of heartbeat sweeps is not what this test is about.
    clock.set(clock.now() + 31 * DAY);
    // Still waiting in the outbox (no InfluxDB here): kept however old.
    expect(t.hub.ingest.retention.run().messages).toBe(0);
    expect(storedMessages(t, 'pir-old')).toHaveLength(stored);

    // Written to InfluxDB (outbox drained) and counted into the hourly history: now it may go.
    t.hub.db.exec('DELETE FROM outbox');
    t.hub.db
      .prepare(
        'INSERT OR REPLACE INTO history_cursor (id, message_id) VALUES (1, (SELECT MAX(id) FROM messages))',
      )
      .run();
    expect(t.hub.ingest.retention.run().messages).toBe(stored);
    expect(storedMessages(t, 'pir-old')).toEqual([]);

    // The quarantine entry is an audit record: kept 180 days.
    expect(t.hub.ingest.store.listQuarantine({ deviceId: 'pir-old', limit: 5 })).toHaveLength(1);
    clock.set(clock.now() + 150 * DAY);
    expect(t.hub.ingest.retention.run().quarantine).toBe(1);
    expect(t.hub.ingest.store.listQuarantine({ deviceId: 'pir-old', limit: 5 })).toEqual([]);
  });
});
