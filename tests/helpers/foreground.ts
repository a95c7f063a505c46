import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');

/** A program started in the foreground, as from a terminal: its own process group, its output kept. */
export interface Foreground {
  child: ChildProcess;
  /** stdout and stderr so far, as they came */
  output(): string;
  /** the exit code, or the signal that ended the process, and when */
  exited: Promise<{ code: number | string | null; at: number }>;
}

/**
 * Starts `command` in the repository with `env` over the environment and ports chosen by the OS. Its
 * own process group, as a terminal's foreground job: a Ctrl-C sent to the group reaches npm and the
 * program under it both. `stdin: 'pipe'` to type into it.
 */
export function startForeground(
  command: string,
  args: string[],
  env: Record<string, string>,
  stdin: 'ignore' | 'pipe' = 'ignore',
): Foreground {
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, HUB_MQTT_PORT: '0', HUB_HTTP_PORT: '0', ...env },
    stdio: [stdin, 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  child.stderr?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  const exited = new Promise<{ code: number | string | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code: code ?? signal, at: Date.now() })),
  );
  return { child, output: () => out, exited };
}

/** How the program ended, or null when it still runs `ms` from now. */
export function exitWithin(p: Foreground, ms: number) {
  return Promise.race([p.exited, new Promise<null>((r) => setTimeout(() => r(null), ms))]);
}

/** Kills what is still running of `programs` (their whole process groups) and empties the list. */
export async function killForeground(programs: Foreground[]): Promise<void> {
  for (const p of programs.splice(0)) {
    if (p.child.exitCode === null && p.child.signalCode === null && p.child.pid) {
      process.kill(-p.child.pid, 'SIGKILL');
      await p.exited;
    }
  }
}
