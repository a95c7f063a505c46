import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

/** Runs `npm start` as a newcomer would, with ports chosen by the OS; resolves once the banner is out. */
function npmStart(dataDir: string): Promise<{ child: ChildProcess; banner: string }> {
  const child = spawn('npm', ['start', '--silent'], {
    cwd: root,
    env: {
      ...process.env,
      HUB_DATA_DIR: dataDir,
      HUB_MQTT_PORT: '0',
      HUB_HTTP_PORT: '0',
      HUB_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so a stop reaches npm and the hub under it, as Ctrl-C in a terminal does.
    detached: true,
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no banner in 20 s:\n${out}`)), 20_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Log in as')) {
        clearTimeout(timer);
        setTimeout(() => resolve({ child, banner: out }), 50);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited with ${code}:\n${out}`));
    });
  });
}

/** Ctrl-C: SIGINT to the whole process group; resolves with how the hub's shutdown went. */
function stop(child: ChildProcess, http: string | undefined): Promise<{ stillServing: boolean }> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', async () => {
      // npm may exit a moment before the hub under it has closed its listeners: allow 3 s.
      let stillServing = true;
      for (let i = 0; i < 30 && stillServing; i++) {
        stillServing = await fetch(`http://127.0.0.1:${http}/healthz`).then(
          () => true,
          () => false,
        );
        if (stillServing) await new Promise((r) => setTimeout(r, 100));
      }
      resolve({ stillServing });
    });
    if (child.pid) process.kill(-child.pid, 'SIGINT');
  });
}

describe('npm start', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('runs the hub on Node 24, prints where everything is, and a generated admin password once', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-start-'));
    dirs.push(dataDir);
    const first = await npmStart(dataDir);
    expect(first.banner).toMatch(/Node\.js v24\./);
    expect(first.banner).toMatch(/MQTT\s+mqtt:\/\/127\.0\.0\.1:\d+/);
    const http = /Console & API\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(first.banner)?.[1];
    const password = /admin \/ (\S+)/.exec(first.banner)?.[1];
    expect(http).toBeDefined();
    expect(password).toBeDefined();

    const health = await fetch(`http://127.0.0.1:${http}/healthz`);
    expect(health.status).toBe(200);
    const login = await fetch(`http://127.0.0.1:${http}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password }),
    });
    expect(login.status).toBe(200);
    expect(await stop(first.child, http)).toEqual({ stillServing: false });

    const second = await npmStart(dataDir);
    expect(second.banner).not.toContain(password);
    expect(second.banner).not.toMatch(/admin \/ \S+/);
    const http2 = /Console & API\s+http:\/\/127\.0\.0\.1:(\d+)\//.exec(second.banner)?.[1];
    expect(await stop(second.child, http2)).toEqual({ stillServing: false });
  });

  it('refuses a bad configuration with the variable named', async () => {
    const child = spawn('npm', ['start', '--silent'], {
      cwd: root,
      env: { ...process.env, HUB_MQTT_PORT: 'not-a-port' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (c: Buffer) => {
      err += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).not.toBe(0);
    expect(err).toContain('HUB_MQTT_PORT');
  });
});
