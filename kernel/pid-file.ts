import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** `dataDir/hub.pid`: written by a running hub (main.ts), so operator commands can tell it is live. */
export const PID_FILE = 'hub.pid';

export function writePidFile(dataDir: string): void {
  writeFileSync(join(dataDir, PID_FILE), `${process.pid}\n`, { mode: 0o644 });
}

export function removePidFile(dataDir: string): void {
  rmSync(join(dataDir, PID_FILE), { force: true });
}

/** The pid of a hub running on `dataDir`, or null (no pid file, or its process is gone: a kill -9). */
export function livePid(dataDir: string): number | null {
  let pid: number;
  try {
    pid = Number.parseInt(readFileSync(join(dataDir, PID_FILE), 'utf8'), 10);
  } catch {
    return null;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return null;
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return pid;
  } catch (err) {
    // EPERM: it exists but belongs to someone else; still a live process on this data directory.
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : null;
  }
}
