import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { join } from 'node:path';
import { requireTool } from './tools.ts';

/** Debian's broker (package `mosquitto`, installed by .ci/run): a household's own broker, as installers run it. */
export const MOSQUITTO = '/usr/sbin/mosquitto';

/** A free TCP port on the loopback interface (closed again before it is handed out). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const canConnect = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/**
 * The household's Mosquitto: a listener on a free loopback port, persistence in its own directory, and
 * the bridge stanza it is given (README "A household with Zigbee2MQTT"). Restartable with the same
 * files, so what it persisted survives.
 */
export class HouseholdMosquitto {
  readonly dir: string;
  readonly port: number;
  #child: ChildProcess | null = null;
  #exited: Promise<void> = Promise.resolve();

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
  }

  static async start(opts: { dir: string; bridge: string }): Promise<HouseholdMosquitto> {
    requireTool(MOSQUITTO, 'mosquitto');
    const broker = new HouseholdMosquitto(opts.dir, await freePort());
    const config = [
      `listener ${broker.port} 127.0.0.1`,
      'allow_anonymous true',
      // Run as root (CI), Mosquitto would switch to its own user, who cannot write this directory.
      'user root',
      'persistence true',
      `persistence_location ${opts.dir}/`,
      `log_dest file ${join(opts.dir, 'mosquitto.log')}`,
      'log_type error',
      'log_type warning',
      'log_type notice',
      'log_type information',
      'connection_messages true',
      '',
      opts.bridge,
      // Test only: retry the bridge after 1 s, backing off to at most 2 s, instead of Mosquitto's default
      // (5 s up to 30 s). A single value was seen to back off anyway (6 s, then 14 s) with Debian's 2.0.11.
      'restart_timeout 1 2',
      '',
    ].join('\n');
    writeFileSync(join(opts.dir, 'mosquitto.conf'), config);
    await broker.#spawn();
    return broker;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async #spawn(): Promise<void> {
    const child = spawn(MOSQUITTO, ['-c', join(this.dir, 'mosquitto.conf')], { stdio: 'ignore' });
    this.#child = child;
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    const deadline = Date.now() + 5000;
    while (!(await canConnect(this.port))) {
      if (child.exitCode !== null) throw new Error(`mosquitto exited (${child.exitCode}):\n${this.log()}`);
      if (Date.now() > deadline) throw new Error(`mosquitto not listening after 5 s:\n${this.log()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** A clean restart (SIGTERM, as `systemctl restart mosquitto`): it saves its persistence file on the way. */
  async restart(): Promise<void> {
    await this.stop();
    await this.#spawn();
  }

  /** The bridge dies at once (SIGKILL): no DISCONNECT, no notification; the hub sees the connection drop. */
  async kill(): Promise<void> {
    this.#child?.kill('SIGKILL');
    await this.#exited;
    this.#child = null;
  }

  async stop(): Promise<void> {
    if (this.#child?.exitCode === null) this.#child.kill('SIGTERM');
    await this.#exited;
    this.#child = null;
  }

  log(): string {
    const path = join(this.dir, 'mosquitto.log');
    return existsSync(path) ? readFileSync(path, 'utf8') : '';
  }
}

/**
 * The Mosquitto bridge stanza exactly as the README gives it (the ```conf block of "A household with
 * Zigbee2MQTT"), so the test runs what installers copy; `replace` fills in its placeholders.
 */
export function readmeBridgeStanza(replace: Record<string, string>): string {
  const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.split('\n## A household with Zigbee2MQTT\n')[1];
  const block = section ? /```conf\n([\s\S]*?)```/.exec(section)?.[1] : undefined;
  if (!block) throw new Error('README: no ```conf block under "## A household with Zigbee2MQTT"');
  let text = block;
  for (const [from, to] of Object.entries(replace)) {
    if (!text.includes(from)) throw new Error(`README bridge stanza: no ${from} to replace`);
    text = text.replaceAll(from, to);
  }
  return text;
}
