import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalMessage } from '../ingest/canonical.ts';
import { SeqDeduper } from '../ingest/dedupe.ts';
import { IntakeStore } from '../ingest/intake-store.ts';
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
  const store = new IntakeStore(db);
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

describe('dedupe: the store answers for what the memory cannot know', () => {
  it('recognises a retransmission of a message stored by the previous run, right after a restart', async () => {
    const { store, write } = await setup();
    write(7, T0);
    const fresh = new SeqDeduper(store, WINDOW);
    expect(fresh.check('pir-1', 7, 'hash-7', T0 + 60_000).duplicate).toBe(true);
    expect(fresh.check('pir-1', 8, 'hash-8', T0 + 60_000).duplicate).toBe(false);
  });

  it('keeps recognising retransmissions a window after start, also of entries it had to evict', async () => {
    const { store, write } = await setup();
    const dedupe = new SeqDeduper(store, WINDOW, 2);
    dedupe.check('pir-1', 0, 'hash-0', T0);
    const durable = Promise.resolve();
    for (let seq = 1; seq <= 3; seq++) {
      const at = T0 + WINDOW + seq * 1000;
      expect(dedupe.check('pir-1', seq, `hash-${seq}`, at).duplicate).toBe(false);
      write(seq, at);
      dedupe.remember('pir-1', seq, `hash-${seq}`, at, durable);
    }
    // seq 1 was evicted from memory (bound 2) inside the window: the store must still answer for it
    const later = T0 + WINDOW + 5000;
    expect(dedupe.check('pir-1', 1, 'hash-1', later).duplicate).toBe(true);
    expect(dedupe.check('pir-1', 3, 'hash-3', later).duplicate).toBe(true);
    expect(dedupe.check('pir-1', 3, 'other-bytes', later).duplicate).toBe(false);
  });
});
