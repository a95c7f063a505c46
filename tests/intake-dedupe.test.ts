import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalMessage } from '../ingest/canonical.ts';
import { SeqDeduper } from '../ingest/dedupe.ts';
import { createSqliteIntakeStore } from '../ingest/store/sqlite-intake.ts';
import { systemClock } from '../kernel/clock.ts';
import { openDatabase } from '../kernel/db.ts';
import { createRegistry } from '../kernel/registry/index.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';

const WINDOW = 10 * 60_000;
const T0 = Date.parse('2026-11-28T01:00:00Z');

/** A store with device pir-1 and a way to write a message as the intake does (seen_seq included). */
async function setup() {
  const db = openDatabase(mkdtempSync(join(tmpdir(), 'hub-dedupe-')), HUB_MIGRATIONS);
  const registry = createRegistry(db, systemClock);
  await registry.households.upsert({ id: 'hh-1', address: 'a', grid: 'g' });
  await registry.devices.upsert({ id: 'pir-1', householdId: 'hh-1', type: 'motion' });
  const store = createSqliteIntakeStore(db);
  const write = (seq: number, at: number) =>
    store.insertMessage(
      {
        deviceId: 'pir-1',
        householdId: 'hh-1',
        deviceType: 'motion',
        room: null,
        channel: 'event',
        event: { name: 'motion' },
        readings: null,
        status: null,
        deviceTime: null,
        receivedAt: at,
        seq,
        source: 'native',
        gatewayId: null,
        friendlyName: null,
      } as CanonicalMessage,
      1,
      `hash-${seq}`,
    );
  return { store, write };
}

/** Whether the deduper takes (pir-1, seq, hash) at `at` as a retransmission; a new one is remembered. */
async function duplicate(dedupe: SeqDeduper, seq: number, hash: string, at: number): Promise<boolean> {
  return (await dedupe.admit('pir-1', seq, hash, at, Promise.resolve())).duplicate;
}

describe('dedupe: the store answers for what the memory cannot know', () => {
  it('recognises a retransmission of a message stored by the previous run, right after a restart', async () => {
    const { store, write } = await setup();
    await write(7, T0);
    const fresh = new SeqDeduper(store, WINDOW);
    expect(await duplicate(fresh, 7, 'hash-7', T0 + 60_000)).toBe(true);
    expect(await duplicate(fresh, 8, 'hash-8', T0 + 60_000)).toBe(false);
  });

  it('keeps recognising retransmissions a window after start, also of entries it had to evict', async () => {
    const { store, write } = await setup();
    const dedupe = new SeqDeduper(store, WINDOW, 2);
    await duplicate(dedupe, 0, 'hash-0', T0);
    for (let seq = 1; seq <= 3; seq++) {
      const at = T0 + WINDOW + seq * 1000;
      expect(await duplicate(dedupe, seq, `hash-${seq}`, at)).toBe(false); // remembered
      await write(seq, at);
    }
    // seq 1 was evicted from memory (bound 2) inside the window: the store must still answer for it
    const later = T0 + WINDOW + 5000;
    expect(await duplicate(dedupe, 1, 'hash-1', later)).toBe(true);
    expect(await duplicate(dedupe, 3, 'hash-3', later)).toBe(true);
    expect(await duplicate(dedupe, 3, 'other-bytes', later)).toBe(false);
  });

  it('takes a copy that arrives while the store is asked about the first as a duplicate of it', async () => {
    const { store } = await setup();
    const dedupe = new SeqDeduper(store, WINDOW);
    const first = Promise.withResolvers<void>();
    // Both copies come before the store has answered for the first (a previous run's entries may be there).
    const verdicts = await Promise.all([
      dedupe.admit('pir-1', 9, 'hash-9', T0, first.promise),
      dedupe.admit('pir-1', 9, 'hash-9', T0 + 10, Promise.resolve()),
    ]);
    expect(verdicts.map((v) => v.duplicate)).toEqual([false, true]);
    const second = verdicts[1];
    expect(second?.duplicate && second.durable).toBe(first.promise); // acknowledged once the first is durable
    first.resolve();
  });
});
