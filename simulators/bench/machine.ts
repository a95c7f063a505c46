import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

/** One line describing the machine a benchmark ran on: CPU, cores, RAM, OS, Node, open-file limit. */
export function machineDescription(): string {
  const cpu = cpus();
  let nofile = '?';
  try {
    nofile = execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim();
  } catch {
    // keep '?'
  }
  return (
    `${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ` +
    `Linux ${release()}, Node.js ${process.version}, open files limit ${nofile}`
  );
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Resident set size of a process in KiB (/proc/<pid>/status VmRSS), 0 when unknown. */
export function rssKiB(pid: number): number {
  try {
    const status = execFileSync('cat', [`/proc/${pid}/status`], { encoding: 'utf8' });
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The kernel's count of connections dropped because a listener's accept queue was full
 * (`TcpExtListenOverflows`, /proc/net/netstat), machine-wide since boot; NaN when unknown. A dropped
 * handshake is retried by the client's TCP after 1, 3, 7, 15, 31 s, which shows as a long connect tail.
 */
export function listenOverflows(): number {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    for (let i = 0; i + 1 < lines.length; i += 2) {
      const names = (lines[i] ?? '').split(/\s+/);
      const values = (lines[i + 1] ?? '').split(/\s+/);
      if (names[0] !== 'TcpExt:') continue;
      const at = names.indexOf('ListenOverflows');
      return at < 0 ? Number.NaN : Number(values[at]);
    }
  } catch {
    // not Linux, or no /proc
  }
  return Number.NaN;
}
