import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Alarm } from '../alerts/alarm.ts';
import { openedIncident, SYSTEM } from '../alerts/incidents/model.ts';
import { createSqliteAlertsStores } from '../alerts/store/sqlite.ts';
import type { AlertsStores } from '../alerts/store/types.ts';
import { type Db, openDatabase } from '../kernel/db.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';

const T0 = Date.parse('2026-11-28T01:00:00Z');

const alarm = (id: string): Alarm => ({
  id,
  householdId: 'hh-s',
  residentId: null,
  type: 'sos',
  class: 'emergency',
  severity: 'critical',
  status: 'open',
  openedAt: T0,
  updatedAt: T0,
  closedAt: null,
  closedBy: null,
  closeReason: null,
  count: 1,
  evidence: [],
  explanation: { zh: '', en: '' },
  notes: [],
  late: false,
});

// The alerts room's SQLite adapters themselves (store/sqlite-*.ts): the one place its tests may use SQL.
describe('the alerts room on SQLite', () => {
  let dir = '';
  let db: Db | null = null;
  afterEach(() => {
    db?.close();
    db = null;
    rmSync(dir, { recursive: true, force: true });
  });

  const setup = (): { db: Db; stores: AlertsStores } => {
    dir = mkdtempSync(join(tmpdir(), 'hub-alerts-store-'));
    db = openDatabase(dir, HUB_MIGRATIONS);
    return { db, stores: createSqliteAlertsStores(db) };
  };

  it('keeps the incident audit trail append-only, down to the table', async () => {
    const { db, stores } = setup();
    await stores.incidents.insert(
      openedIncident({
        id: 'inc-s',
        householdId: 'hh-s',
        residentId: null,
        alarmType: 'sos',
        class: 'emergency',
        severity: 'critical',
        openedAt: T0,
        explanation: { zh: '', en: '' },
      }),
    );
    await stores.incidents.audit('inc-s', T0, 'opened', SYSTEM, { to: 'open' });
    expect(() => db.exec('DELETE FROM incident_audit')).toThrow(/append-only/);
    expect(() => db.exec("UPDATE incident_audit SET action = 'forged'")).toThrow(/append-only/);
    expect((await stores.incidents.auditOf('inc-s')).map((a) => a.action)).toEqual(['opened']);
  });

  it('claims a timer once, and lists a key prefix literally (its _ and % match only themselves)', async () => {
    const { stores } = setup();
    const timer = (key: string) => ({
      key,
      kind: 'k',
      householdId: 'hh-s',
      dueAt: T0,
      armedAt: T0,
      payload: {},
    });
    await stores.timers.put(timer('a_1:x'));
    await stores.timers.put(timer('ab1:y'));
    expect((await stores.timers.list({ kind: 'k', keyPrefix: 'a_1:' })).map((t) => t.key)).toEqual(['a_1:x']);
    expect(await stores.timers.claim('a_1:x', T0, T0 + 1)).toBeNull(); // armed at another time
    expect(await stores.timers.claim('a_1:x', T0, T0)).toMatchObject({ key: 'a_1:x', kind: 'k' });
    expect(await stores.timers.claim('a_1:x', T0, T0)).toBeNull();
    expect((await stores.timers.all()).map((t) => t.key)).toEqual(['ab1:y']);
  });

  it('lets a read from outside an open transaction wait for its commit, and rolls back on a throw', async () => {
    const { stores } = setup();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const tx = stores.transaction(async () => {
      await stores.alarms.insert(alarm('alm-1'));
      await gate;
    });
    await new Promise((r) => setTimeout(r, 10));
    const outside = stores.alarms.get('alm-1');
    release();
    await tx;
    expect(await outside).toMatchObject({ id: 'alm-1', status: 'open' });

    await expect(
      stores.transaction(async () => {
        await stores.alarms.close('alm-1', T0, 'x', 'y');
        // a savepoint inside: rolled back with the transaction around it
        await stores.transaction(() => stores.alarms.insert(alarm('alm-2')));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    expect(await stores.alarms.get('alm-1')).toMatchObject({ status: 'open' });
    expect(await stores.alarms.get('alm-2')).toBeNull();
  });
});
