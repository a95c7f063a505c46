import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CanonicalMessage } from '../ingest/canonical.ts';
import { HOUR_MS, HourlyAggregator } from '../ingest/influx-history-aggregator.ts';
import { LocalHistory } from '../ingest/influx-history-local.ts';
import { createSqliteIngestStore } from '../ingest/store/sqlite-store.ts';
import { type Db, openDatabase } from '../kernel/db.ts';
import type { DeviceId, HouseholdId } from '../kernel/ids.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';

const NOW = Date.parse('2026-11-28T02:30:00Z');

const motion = (i: number): CanonicalMessage => ({
  deviceId: 'pir-1' as DeviceId,
  householdId: 'hh-1' as HouseholdId,
  deviceType: 'motion',
  room: 'living',
  channel: 'event',
  event: { name: 'motion' },
  readings: null,
  status: null,
  deviceTime: null,
  receivedAt: NOW - 1000 + i,
  seq: i,
  source: 'native',
  gatewayId: null,
  friendlyName: null,
});

describe('local history: stored messages folded in memory, read back only when memory cannot prove it covers them', () => {
  let dir = '';
  let db: Db | null = null;
  afterEach(() => {
    db?.close();
    db = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts every message exactly once whether it was told of, missed, or told of twice', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-history-memory-'));
    const opened = openDatabase(dir, HUB_MIGRATIONS);
    db = opened;
    const stores = createSqliteIngestStore(opened);
    const store = stores.intake;
    const aggregator = new HourlyAggregator(stores.history);
    // What the local history answers (no refresh: only what the catch-ups wrote), summed over its hours.
    const history = new LocalHistory(stores.history, 0);
    const motions = async () =>
      (await history.activity('hh-1', { from: NOW - HOUR_MS, to: NOW + HOUR_MS })).reduce(
        (n, r) => n + r.motions,
        0,
      );
    let seq = 0;
    const stored = async (tell: boolean) => {
      const m = motion(seq++);
      const id = await store.insertMessage(m, 1, null);
      if (tell) aggregator.noteStored(id, m, NOW);
      return { id, m };
    };

    await aggregator.catchUp(500, NOW); // sets the cursor at the (empty) store
    for (let i = 0; i < 3; i++) await stored(true);
    expect(await aggregator.catchUp(500, NOW)).toBe(3);
    expect(aggregator.catchUps).toEqual({ fromMemory: 1, readBack: 0 });
    expect(await motions()).toBe(3);

    // One the intake did not tell of (a gap): memory cannot prove the range, so the rows are read back.
    await stored(false);
    const told = await stored(true);
    expect(await aggregator.catchUp(500, NOW)).toBe(2);
    expect(aggregator.catchUps).toEqual({ fromMemory: 1, readBack: 1 });
    expect(await motions()).toBe(5);

    // Told again of one already counted: ignored.
    aggregator.noteStored(told.id, told.m, NOW);
    await stored(true);
    expect(await aggregator.catchUp(500, NOW)).toBe(1);
    expect(aggregator.catchUps).toEqual({ fromMemory: 2, readBack: 1 });
    expect(await motions()).toBe(6);
  });
});
