import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** The regex that finds the MQTT port in the hub's start banner (main.ts). */
export const HUB_MQTT_PORT = /MQTT\s+mqtt:\/\/[^:]+:(\d+)/;

/**
 * Runs a TypeScript entry point of this project (`main.ts`, `simulators/bare-aedes.ts`) in a child
 * process on this Node, for benchmarks: each broker gets a process of its own, the load another.
 * Resolves with the port `portPattern` finds in its stdout.
 */
export function startChild(
  args: string[],
  env: Record<string, string>,
  portPattern: RegExp,
): Promise<{ port: number; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const port = portPattern.exec(out)?.[1];
      if (!port) return;
      resolve({
        port: Number(port),
        stop: () =>
          new Promise((r) => {
            if (child.exitCode !== null) return r();
            child.on('exit', () => r());
            child.kill('SIGTERM');
          }),
      });
    });
    child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited ${code}: ${out}`)));
  });
}
