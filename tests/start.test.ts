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

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
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
    expect(await stop(first.child)).toBe(0);

    const second = await npmStart(dataDir);
    expect(second.banner).not.toContain(password);
    expect(second.banner).not.toMatch(/admin \/ \S+/);
    expect(await stop(second.child)).toBe(0);
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
