/**
 * Stopping `npm run demo` as a newcomer does (issue 24, item 8): Ctrl-C in the terminal reaches npm and
 * the demo under it (one process group), also after an admin rotated a demo device's secret, which
 * leaves that device unable to reconnect; and a second signal ends it at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../simulators/device.ts';
import { hubApi, login } from '../simulators/household/hub-api.ts';
import { exitWithin, type Foreground, killForeground, root, startForeground } from './helpers/foreground.ts';

const node = join(root, 'node_modules', '.bin', 'node');
// 2 households; no scenario during the test; 600 × faster: every device's heartbeat each 0.5 s.
const DEMO_ARGS = ['--households', '2', '--first', '600', '--every', '600', '--scale', '600'];

function startDemo(command: string, args: string[], dataDir: string, mqttPort = 0): Foreground {
  return startForeground(command, args, { HUB_DATA_DIR: dataDir, HUB_MQTT_PORT: String(mqttPort) });
}

async function consoleUrl(demo: Foreground): Promise<string> {
  const pattern = /Console & API\s+(http:\/\/127\.0\.0\.1:\d+)\//;
  await until(() => pattern.test(demo.output()), 40_000, `the console URL:\n${demo.output()}`);
  return pattern.exec(demo.output())?.[1] as string;
}

describe('stopping npm run demo', () => {
  const running: Foreground[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await killForeground(running);
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('after an admin rotates a device secret, one Ctrl-C stops everything in under 5 s', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-demo-stop-'));
    dirs.push(dir);
    const demo = startDemo('npm', ['run', 'demo', '--silent', '--', ...DEMO_ARGS], dir);
    running.push(demo);
    const httpUrl = await consoleUrl(demo);

    const admin = hubApi(httpUrl, await login(httpUrl, 'admin', 'demo-admin'));
    await admin.call('POST', '/api/devices/btn-D0001/secret');
    // The hub cuts the button off; its next heartbeats (every 0.5 s here) find it gone.
    await until(
      () => demo.output().includes('btn-D0001 is offline'),
      10_000,
      `the button offline:\n${demo.output()}`,
    );
    await new Promise((r) => setTimeout(r, 1500));
    // Told once, not at every heartbeat.
    expect(demo.output().match(/btn-D0001 is offline/g)).toHaveLength(1);

    const sent = Date.now();
    process.kill(-(demo.child.pid as number), 'SIGINT');
    const exit = await exitWithin(demo, 10_000);
    expect(exit, `still running 10 s after Ctrl-C:\n${demo.output()}`).not.toBeNull();
    const { code, at } = exit ?? { code: null, at: Infinity };
    expect(at - sent).toBeLessThan(5000);
    // npm ends itself with the SIGINT it was sent once the demo has exited (0 when it had none)
    expect([0, 'SIGINT'], demo.output()).toContain(code);
    expect(demo.output()).toMatch(/stopped \(\d+ household steps, \d+ scenarios\)/);
    expect(demo.output()).not.toContain('again: ending at once');
  }, 90_000);

  it('a second signal during the stop ends it at once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-demo-stop-'));
    dirs.push(dir);
    const demo = startDemo(node, ['simulators/demo.ts', ...DEMO_ARGS], dir);
    running.push(demo);
    await consoleUrl(demo);

    const sent = Date.now();
    demo.child.kill('SIGINT');
    demo.child.kill('SIGTERM');
    const exit = await exitWithin(demo, 10_000);
    expect(exit, `still running 10 s after the signals:\n${demo.output()}`).not.toBeNull();
    const { code, at } = exit ?? { code: null, at: Infinity };
    // Sent back to back, the two may be handled in either order: the one handled second ends it.
    const second = code === 130 ? 'SIGINT' : 'SIGTERM';
    expect([130, 143]).toContain(code);
    expect(at - sent).toBeLessThan(1000);
    expect(demo.output()).toContain(`${second} again: ending at once`);
    expect(demo.output()).not.toMatch(/stopped \(\d+ household steps/);
  }, 90_000);

  it('a start that fails says why and exits 1, with no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hub-demo-stop-'));
    dirs.push(dir);
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const address = taken.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      const demo = startDemo(node, ['simulators/demo.ts', ...DEMO_ARGS], dir, port);
      running.push(demo);
      const exit = await exitWithin(demo, 30_000);
      expect(exit?.code, demo.output()).toBe(1);
      expect(demo.output()).toContain('could not start: listen EADDRINUSE');
      expect(demo.output()).toContain('another hub or demo may be running');
      expect(demo.output()).not.toMatch(/^\s+at /m);
    } finally {
      await new Promise<void>((r) => taken.close(() => r()));
    }
  }, 60_000);
});
