import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** The regex that finds the MQTT port in the hub's start banner (main.ts). */
export const HUB_MQTT_PORT = /MQTT\s+mqtt:\/\/[^:]+:(\d+)/;
/** The regex that finds the HTTP port (console, API, /metrics) in the hub's start banner. */
export const HUB_HTTP_PORT = /Console & API\s+http:\/\/[^:]+:(\d+)/;

export interface Child {
  port: number;
  pid: number;
  /** everything the child printed on stdout so far */
  output(): string;
  stop(): Promise<void>;
}

export interface StartChildOptions {
  /** ms to wait for the port; past it the child is killed and the start rejected (default: no bound) */
  timeoutMs?: number;
  /** called with the process as soon as it is spawned (e.g. to kill it when this process exits) */
  onSpawn?: (child: ChildProcess) => void;
}

/**
 * Runs a TypeScript entry point of this project (`main.ts`, `simulators/bare-aedes.ts`) in a child
 * process on this Node, for benchmarks: each broker gets a process of its own, the load another.
 * Resolves with the port `portPattern` finds in its stdout.
 */
export function startChild(
  args: string[],
  env: Record<string, string>,
  portPattern: RegExp,
  opts: StartChildOptions = {},
): Promise<Child> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  opts.onSpawn?.(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let resolved = false;
    const timer =
      opts.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            if (resolved) return;
            child.kill('SIGKILL');
            reject(new Error(`${args.join(' ')} printed no port within ${opts.timeoutMs} ms: ${out}`));
          }, opts.timeoutMs);
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const port = portPattern.exec(out)?.[1];
      if (!port || resolved) return;
      resolved = true;
      clearTimeout(timer);
      resolve({
        port: Number(port),
        pid: child.pid ?? 0,
        output: () => out,
        stop: () =>
          new Promise((r) => {
            if (child.exitCode !== null || child.signalCode !== null) return r();
            child.on('exit', () => r());
            child.kill('SIGTERM');
          }),
      });
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (!resolved) reject(new Error(`${args.join(' ')} exited ${code ?? signal}: ${out}`));
    });
  });
}
