import { close, closeSync, fdatasync, fdatasyncSync, fsyncSync, open, openSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Db } from '../../kernel/db.ts';

/**
 * Makes committed WAL frames durable off the main thread: an fdatasync of the store's `-wal` file on
 * libuv's thread pool. A transaction committed with `synchronous = NORMAL` has written its frames to
 * the WAL (a crash of the process loses nothing) but not synced them (a power loss could); once the
 * fsync that started after its COMMIT completes, it is as durable as under `synchronous = FULL`.
 * SQLite still syncs the WAL itself before a checkpoint and the database after it (NORMAL's rules).
 *
 * At most one fsync runs at a time; commits that arrive meanwhile share the next one (group fsync).
 * The file is opened for each fsync, so a WAL that SQLite recreated is never missed.
 */
export class WalSync {
  readonly #path: string | null;
  readonly #dir: string | null;
  #dirSynced = false;
  #running = false;
  /** callers waiting for the fsync after the running one */
  #next: Array<(err: Error | null) => void> = [];

  constructor(db: Db) {
    const location = db.location();
    this.#path = location ? `${location}-wal` : null;
    this.#dir = location ? dirname(location) : null;
  }

  /** Resolves once everything committed before this call is on disk. */
  sync(): Promise<void> {
    if (!this.#path) return Promise.resolve(); // an in-memory store has nothing to sync
    return new Promise((resolve, reject) => {
      this.#next.push((err) => (err ? reject(err) : resolve()));
      if (!this.#running) this.#start();
    });
  }

  /** The same, on the calling thread (stop, where nothing else waits). */
  syncNow(): void {
    if (!this.#path) return;
    const fd = openSync(this.#path, 'r');
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.#syncDirOnce();
  }

  #start(): void {
    const path = this.#path;
    if (!path) return;
    const waiting = this.#next;
    this.#next = [];
    this.#running = true;
    const done = (err: Error | null) => {
      this.#running = false;
      if (!err) {
        try {
          this.#syncDirOnce();
        } catch (dirErr) {
          err = dirErr as Error;
        }
      }
      for (const fn of waiting) fn(err);
      if (this.#next.length > 0) this.#start();
    };
    open(path, 'r', (openErr, fd) => {
      if (openErr) return done(openErr);
      fdatasync(fd, (syncErr) => close(fd, () => done(syncErr)));
    });
  }

  /** The WAL file's name itself must survive a power loss: its directory is synced once. */
  #syncDirOnce(): void {
    if (this.#dirSynced || !this.#dir) return;
    const fd = openSync(this.#dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.#dirSynced = true;
  }
}
