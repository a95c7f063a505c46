import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { systemClock } from '../kernel/clock.ts';
import { openDatabase } from '../kernel/db.ts';
import { createRegistry } from '../kernel/registry/index.ts';
import { connectionOf } from '../kernel/sqlite-connection.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';

/**
 * The device cache (kernel/registry/store/sqlite-devices.ts) must never answer a device the store no
 * longer has, nor one another context's open transaction wrote; a hit runs no SQL.
 */
describe('registry: cached devices follow every change', () => {
  const fresh = async () => {
    const db = openDatabase(mkdtempSync(join(tmpdir(), 'hub-cache-')), HUB_MIGRATIONS);
    const registry = createRegistry(db, systemClock);
    await registry.households.upsert({ id: 'hh-1', address: 'a', grid: 'g' });
    await registry.households.upsertResident({ id: 'res-1', householdId: 'hh-1', name: '王奶奶' });
    await registry.devices.upsert({ id: 'pir-1', householdId: 'hh-1', type: 'motion', residentId: 'res-1' });
    return { registry, conn: connectionOf(db) };
  };

  it('drops a device deleted by its household (cascade) and a resident unlinked by a resident delete', async () => {
    const { registry } = await fresh();
    expect((await registry.devices.get('pir-1'))?.residentId).toBe('res-1');
    await registry.households.deleteResident('res-1');
    expect((await registry.devices.get('pir-1'))?.residentId).toBeNull();
    await registry.households.delete('hh-1');
    expect(await registry.devices.get('pir-1')).toBeNull();
  });

  it('sees a disable at once, and forgets what a rolled-back transaction wrote', async () => {
    const { registry } = await fresh();
    expect((await registry.devices.get('pir-1'))?.enabled).toBe(true);
    await registry.devices.upsert({ id: 'pir-1', householdId: 'hh-1', type: 'motion', enabled: false });
    expect((await registry.devices.get('pir-1'))?.enabled).toBe(false);
    await expect(
      registry.transaction(async () => {
        await registry.devices.upsert({ id: 'pir-2', householdId: 'hh-1', type: 'motion' });
        expect(await registry.devices.get('pir-2')).not.toBeNull();
        throw new Error('bad row');
      }),
    ).rejects.toThrow('bad row');
    expect(await registry.devices.get('pir-2')).toBeNull();
  });

  it('answers a device read a moment ago without SQL (the intake asks for every message)', async () => {
    const { registry, conn } = await fresh();
    expect(await registry.devices.get('pir-1')).not.toBeNull();
    const statement = vi.spyOn(conn, 'statement');
    const use = vi.spyOn(conn, 'use');
    for (let i = 0; i < 100; i++) {
      expect((await registry.devices.get('pir-1'))?.id).toBe('pir-1');
    }
    expect(statement).not.toHaveBeenCalled();
    expect(use).not.toHaveBeenCalled();
    // a miss (an unknown id) is read each time: nothing is kept of it
    expect(await registry.devices.get('nobody')).toBeNull();
    expect(statement).toHaveBeenCalled();
    vi.restoreAllMocks();
  });

  it('never answers another context what an open transaction wrote, and forgets it when it rolls back', async () => {
    const { registry } = await fresh();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const tx = registry.transaction(async () => {
      await registry.devices.upsert({ id: 'pir-2', householdId: 'hh-1', type: 'motion' });
      await registry.devices.upsert({ id: 'pir-1', householdId: 'hh-1', type: 'motion', enabled: false });
      // read inside the transaction: it sees its own rows, and must not leave them in the cache
      expect(await registry.devices.get('pir-2')).not.toBeNull();
      expect((await registry.devices.get('pir-1'))?.enabled).toBe(false);
      await gate; // held open across a real wait
      throw new Error('rolled back');
    });
    await new Promise((r) => setTimeout(r, 10));
    // from outside: waits for the transaction to end, then sees the committed rows only
    const outside = Promise.all([registry.devices.get('pir-2'), registry.devices.get('pir-1')]);
    let answered = false;
    void outside.then(() => {
      answered = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(answered).toBe(false);
    release();
    await expect(tx).rejects.toThrow('rolled back');
    const [pir2, pir1] = await outside;
    expect(pir2).toBeNull();
    expect(pir1?.enabled).toBe(true);
    expect(await registry.devices.get('pir-2')).toBeNull();
  });
});
