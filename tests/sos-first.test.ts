import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FrameLanes } from '../console/live/frame-lanes.ts';
import { GroupCommit } from '../ingest/store/group-commit.ts';
import { type Db, openDatabase } from '../kernel/db.ts';
import { createLogger } from '../kernel/logger.ts';
import { HUB_MIGRATIONS } from '../migrations.ts';

describe('SOS first: life-safety writes overtake queued telemetry', () => {
  let dir = '';
  let db: Db | null = null;
  afterEach(() => {
    db?.close();
    db = null;
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits an urgent write in the next group commit, ahead of more queued telemetry than one commit holds, and syncs before it resolves', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-lanes-'));
    db = openDatabase(dir, HUB_MIGRATIONS);
    const store = db;
    store.exec('CREATE TABLE lane_test (id INTEGER PRIMARY KEY, what TEXT NOT NULL)');
    const insert = store.prepare('INSERT INTO lane_test (what) VALUES (?)');
    const commit = new GroupCommit(store, createLogger('silent'), 100);
    const order: string[] = [];
    const telemetry = Array.from({ length: 450 }, (_, i) =>
      commit.enqueue(() => void insert.run(`t${i}`)).then(() => order.push(`t${i}`)),
    );
    const sos = commit.enqueue(() => void insert.run('sos'), 'urgent').then(() => order.push('sos'));
    await Promise.all([...telemetry, sos]);
    // written first, in the first transaction, and acknowledged first
    const firstRow = store.prepare('SELECT what FROM lane_test ORDER BY id LIMIT 1').get() as {
      what: string;
    };
    expect(firstRow.what).toBe('sos');
    expect(order[0]).toBe('sos');
    expect(order.slice(1)).toEqual(Array.from({ length: 450 }, (_, i) => `t${i}`));
    // 451 writes in batches of at most 100: the urgent one took a place in the first
    expect(commit.commits).toBe(5);
    expect(commit.writes).toBe(451);
  });
});

describe('live channel lanes', () => {
  it('sends incident frames ahead of queued routine frames, with at most the frames in flight before them', () => {
    const written: string[] = [];
    const pending: Array<() => void> = [];
    const lanes = new FrameLanes(
      {
        write: (frame, done) => {
          written.push(frame);
          pending.push(done);
        },
      },
      2,
    );
    for (let i = 0; i < 10; i++) lanes.push(`activity-${i}`, 'normal');
    lanes.push('incidentOpened', 'urgent');
    expect(written).toEqual(['activity-0', 'activity-1']); // the socket has two, the rest wait here
    pending.shift()?.(); // the socket took one: the incident goes next, before activity-2
    expect(written).toEqual(['activity-0', 'activity-1', 'incidentOpened']);
    while (pending.length > 0) pending.shift()?.();
    expect(written).toHaveLength(11);
    expect(lanes.queued).toBe(0);
    expect(lanes.queuedBytes).toBe(0);
  });
});
