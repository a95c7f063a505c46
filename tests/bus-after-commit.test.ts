import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, expect, it } from 'vitest';
import { GroupCommit } from '../ingest/store/group-commit.ts';
import { EventBus } from '../kernel/bus.ts';
import { transaction } from '../kernel/db.ts';
import { createLogger } from '../kernel/logger.ts';
import { connectionOf } from '../kernel/sqlite-connection.ts';
import { scratchStores } from './helpers/scratch-store.ts';

// The store-machinery level (kernel/db.ts, ingest/group-commit.ts): SQL on a table of the test's own.
describe('bus events leave after the transaction that caused them commits', () => {
  const scratch = scratchStores('hub-after-commit');

  const setup = () => {
    const { dir, db } = scratch();
    const bus = new EventBus(createLogger('silent'), connectionOf(db));
    // A second connection: what another process (or a crash recovery) would see.
    const other = new DatabaseSync(join(dir, 'hub.sqlite'), { readOnly: true });
    const visible = (id: string) => other.prepare('SELECT 1 FROM things WHERE id = ?').get(id) !== undefined;
    const heard: Array<{ id: string; visible: boolean }> = [];
    bus.on('deviceHeard', 'test', (e) => {
      heard.push({ id: e.deviceId, visible: visible(e.deviceId) });
    });
    const insert = (id: string) => db.prepare('INSERT INTO things (id) VALUES (?)').run(id);
    // Synchronous transactions below: with no async participant emit's work is done when it returns,
    // so its promise is left alone there (the async test awaits it).
    const emit = (id: string) => bus.emit('deviceHeard', { deviceId: id, householdId: 'hh', at: 0 });
    return { bus, heard, insert, emit, visible, other, db };
  };

  it('delivers an event emitted inside a transaction only after COMMIT, and one from a rolled-back transaction never', () => {
    const { heard, insert, emit, other, db } = setup();
    transaction(db, () => {
      insert('a');
      void emit('a');
      expect(heard).toEqual([]); // not while the transaction is open
    });
    expect(heard).toEqual([{ id: 'a', visible: true }]);

    expect(() =>
      transaction(db, () => {
        insert('b');
        void emit('b');
        throw new Error('rolled back');
      }),
    ).toThrow('rolled back');
    expect(heard.map((h) => h.id)).toEqual(['a']);
    other.close();
  });

  it('drops the events of a savepoint that rolled back and keeps those of the transaction around it', () => {
    const { heard, insert, emit, other, db } = setup();
    transaction(db, () => {
      insert('outer');
      void emit('outer');
      try {
        transaction(db, () => {
          insert('inner');
          void emit('inner');
          throw new Error('inner fails');
        });
      } catch {
        // the outer transaction goes on without it
      }
    });
    expect(heard).toEqual([{ id: 'outer', visible: true }]);
    other.close();
  });

  it('runs participants inside the transaction: their writes roll back with it', () => {
    const { bus, insert, emit, visible, other, db } = setup();
    bus.within('deviceHeard', 'participant', (e) => {
      insert(`${e.deviceId}-outbox`);
    });
    expect(() =>
      transaction(db, () => {
        insert('c');
        void emit('c');
        throw new Error('rolled back');
      }),
    ).toThrow();
    expect(visible('c-outbox')).toBe(false);
    transaction(db, () => {
      insert('d');
      void emit('d');
    });
    expect(visible('d-outbox')).toBe(true);
    other.close();
  });

  it('awaits async participants inside an async transaction; an event from outside it is not held by it', async () => {
    const { bus, heard, emit, visible, other, db: d } = setup();
    const conn = connectionOf(d);
    const write = (id: string) => conn.use((x) => x.prepare('INSERT INTO things (id) VALUES (?)').run(id));
    bus.within('deviceHeard', 'participant', async (e) => {
      await write(`${e.deviceId}-outbox`);
    });
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const tx = conn
      .transaction(async () => {
        await write('e');
        await emit('e');
        await gate;
        throw new Error('rolled back');
      })
      .catch((err: Error) => err.message);
    await new Promise((r) => setTimeout(r, 10));
    // Another context emits while that transaction is open: its participant waits for the connection,
    // then writes on its own, and the event is delivered; the rollback takes neither with it.
    const elsewhere = bus.emit('deviceHeard', { deviceId: 'elsewhere', householdId: 'hh', at: 0 });
    release();
    expect(await tx).toBe('rolled back');
    await elsewhere;
    expect(visible('e-outbox')).toBe(false);
    expect(visible('elsewhere-outbox')).toBe(true);
    expect(heard.map((h) => h.id)).toEqual(['elsewhere']);
    other.close();
  });

  it('in a group commit: events wait for the sync, a failed batch announces nothing, its good writes once on retry', async () => {
    const { heard, insert, emit, other, db } = setup();
    const commit = new GroupCommit(db, createLogger('silent'));
    const resolvedBefore: string[] = [];
    const good = commit.enqueue(() => {
      insert('good');
      void emit('good');
    });
    const bad = commit.enqueue(() => {
      insert('bad');
      void emit('bad');
      throw new Error('a poisoned write');
    });
    const badOutcome = bad.then(
      () => 'committed',
      (err: Error) => err.message,
    );
    void good.then(() => resolvedBefore.push(...heard.map((h) => h.id)));
    await good;
    expect(await badOutcome).toBe('a poisoned write');
    // The batch of both rolled back and its events were dropped; 'good' committed alone and was told
    // once, durable and before its caller heard it was.
    expect(heard).toEqual([{ id: 'good', visible: true }]);
    expect(resolvedBefore).toEqual(['good']);
    other.close();
  });
});
