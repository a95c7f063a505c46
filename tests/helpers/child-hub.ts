import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const node = join(root, 'node_modules', '.bin', 'node');

export interface ChildHub {
  child: ChildProcess;
  mqttPort: number;
  httpPort: number;
  output: () => string;
}

/** Runs the hub (main.ts) as a child process on Node 24 with OS-chosen ports; resolves once it is up. */
export function startChildHub(dataDir: string, env: Record<string, string> = {}): Promise<ChildHub> {
  const child = spawn(node, ['main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      HUB_DATA_DIR: dataDir,
      HUB_MQTT_PORT: '0',
      HUB_HTTP_PORT: '0',
      HUB_ADMIN_PASSWORD: 'child-admin-password',
      HUB_LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`hub did not start in 40 s:\n${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk.toString();
      const mqtt = /mqtt:\/\/[^:]+:(\d+)/.exec(out)?.[1];
      const http = /Console & API\s+http:\/\/[^:]+:(\d+)/.exec(out)?.[1];
      if (mqtt && http) {
        clearTimeout(timer);
        resolve({ child, mqttPort: Number(mqtt), httpPort: Number(http), output: () => out });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => {
      out += c.toString();
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`hub exited (${code ?? signal}) before it was up:\n${out}`));
    });
  });
}

/** Kills with SIGKILL (no shutdown code runs) and waits for the exit. */
export function killHard(hub: ChildHub): Promise<void> {
  return new Promise((resolve) => {
    hub.child.removeAllListeners('exit');
    hub.child.on('exit', () => resolve());
    hub.child.kill('SIGKILL');
  });
}
