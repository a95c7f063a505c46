import { describe, expect, it } from 'vitest';
import { connectionOf } from '../kernel/sqlite-connection.ts';
import { scratchStores } from './helpers/scratch-store.ts';

// The store machinery every room's SQLite adapter uses: SQL on a table of the test's own.
describe('the async SQLite connection', () => {
  const scratch = scratchStores('hub-conn');

  const setup = () => {
    const { db } = scratch();
    const conn = connectionOf(db);
    const insert = (id: string) => conn.use((d) => d.prepare('INSERT INTO things (id) VALUES (?)').run(id));
    const count = () =>
      conn.use((d) => Number((d.prepare('SELECT COUNT(*) AS n FROM things').get() as { n: number }).n));
    return { conn, insert, count };
  };

  it('makes work from outside an open transaction wait for it, so it never sees uncommitted rows', async () => {
    const { conn, insert, count } = setup();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const tx = conn.transaction(async () => {
      await insert('a');
      await gate; // the transaction stays open across a real wait
      await insert('b');
    });
    await new Promise((r) => setTimeout(r, 10));
    const seen = count(); // from outside: must wait for the commit
    let answered = false;
    void seen.then(() => {
      answered = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(answered).toBe(false);
    release();
    await tx;
    expect(await seen).toBe(2);
  });

  it('rolls a failed transaction back, and a failed savepoint inside one only back to it', async () => {
    const { conn, insert, count } = setup();
    await expect(
      conn.transaction(async () => {
        await insert('x');
        throw new Error('nope');
      }),
    ).rejects.toThrow('nope');
    expect(await count()).toBe(0);
    await conn.transaction(async () => {
      await insert('outer');
      await conn
        .transaction(async () => {
          await insert('inner');
          throw new Error('inner fails');
        })
        .catch(() => undefined);
    });
    expect(await count()).toBe(1);
  });
});
