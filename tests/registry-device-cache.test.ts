import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { systemClock } from '../kernel/clock.ts';
import { openDatabase } from '../kernel/db.ts';
import { createRegistry } from '../kernel/registry/index.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';

/** The device cache (kernel/registry/devices.ts) must never answer a device the store no longer has. */
describe('registry: cached devices follow every change', () => {
  const fresh = () => {
    const registry = createRegistry(
      openDatabase(mkdtempSync(join(tmpdir(), 'hub-cache-')), HUB_MIGRATIONS),
      systemClock,
    );
    registry.households.upsert({ id: 'hh-1', address: 'a', grid: 'g' });
    registry.households.upsertResident({ id: 'res-1', householdId: 'hh-1', name: '王奶奶' });
    registry.devices.upsert({ id: 'pir-1', householdId: 'hh-1', type: 'motion', residentId: 'res-1' });
    return registry;
  };

  it('drops a device deleted by its household (cascade) and a resident unlinked by a resident delete', () => {
    const registry = fresh();
    expect(registry.devices.get('pir-1')?.residentId).toBe('res-1');
    registry.households.deleteResident('res-1');
    expect(registry.devices.get('pir-1')?.residentId).toBeNull();
    registry.households.delete('hh-1');
    expect(registry.devices.get('pir-1')).toBeNull();
  });

  it('sees a disable at once, and forgets what a rolled-back transaction wrote', () => {
    const registry = fresh();
    expect(registry.devices.get('pir-1')?.enabled).toBe(true);
    registry.devices.upsert({ id: 'pir-1', householdId: 'hh-1', type: 'motion', enabled: false });
    expect(registry.devices.get('pir-1')?.enabled).toBe(false);
    expect(() =>
      registry.transaction(() => {
        registry.devices.upsert({ id: 'pir-2', householdId: 'hh-1', type: 'motion' });
        expect(registry.devices.get('pir-2')).not.toBeNull();
        throw new Error('bad row');
      }),
    ).toThrow('bad row');
    expect(registry.devices.get('pir-2')).toBeNull();
  });
});
