import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../simulators/device.ts';
import { hubApi, login } from '../simulators/household/hub-api.ts';

const root = join(import.meta.dirname, '..');
const node = join(root, 'node_modules', '.bin', 'node');

describe('npm run demo', () => {
  let child: ChildProcess | null = null;
  let dir: string | null = null;
  afterEach(async () => {
    if (child && child.exitCode === null && child.signalCode === null) {
      const c = child;
      await new Promise<void>((resolve) => {
        c.on('exit', () => resolve());
        c.kill('SIGKILL');
      });
    }
    child = null;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('prints the console address and logins, and the dispatcher sees incidents and telemetry; Ctrl-C stops it', async () => {
    dir = mkdtempSync(join(tmpdir(), 'hub-demo-'));
    const c = spawn(node, ['simulators/demo.ts', '--households', '3', '--first', '1', '--every', '4'], {
      cwd: root,
      env: { ...process.env, HUB_DATA_DIR: dir, HUB_MQTT_PORT: '0', HUB_HTTP_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = c;
    let out = '';
    c.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
    });
    c.stderr?.on('data', (b: Buffer) => {
      out += b.toString();
    });
    await until(
      () => /Console & API\s+http:\/\/127\.0\.0\.1:\d+\//.test(out),
      30_000,
      `the console URL:\n${out}`,
    );
    const httpUrl = /Console & API\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out)?.[1] as string;
    const dispatcher = /dispatcher\s+(\S+) \/ (\S+)/.exec(out);
    expect(dispatcher?.[1]).toBe('dispatcher');
    expect(out).toMatch(/family\s+family \/ \S+\s+\(household hh-D0001/);

    // The first scenario (an SOS in the family's household) opens an incident within seconds.
    await until(() => out.includes('incident opened: sos in hh-D0001'), 20_000, `an incident:\n${out}`);
    const api = hubApi(httpUrl, await login(httpUrl, 'dispatcher', dispatcher?.[2] as string));
    const incidents = await api.call<Array<{ householdId: string; alarmType: string }>>(
      'GET',
      '/api/incidents',
    );
    expect(incidents).toContainEqual(expect.objectContaining({ householdId: 'hh-D0001', alarmType: 'sos' }));

    // The households' devices are talking: messages accepted by the durable intake.
    const accepted = async () => {
      const metrics = await (await fetch(`${httpUrl}/metrics`)).text();
      return [...metrics.matchAll(/^hub_ingest_accepted_total(?:\{[^}]*\})? (\d+)/gm)].reduce(
        (n, m) => n + Number(m[1]),
        0,
      );
    };
    const before = await accepted();
    expect(before).toBeGreaterThan(10);
    // and keep talking: heartbeats every 5 simulated minutes (5 s at 60 ×), the residents' day
    let now = before;
    for (let i = 0; i < 150 && now <= before; i++) {
      await new Promise((r) => setTimeout(r, 100));
      now = await accepted();
    }
    expect(now).toBeGreaterThan(before);

    // The family user reads the household's incident.
    const family = hubApi(
      httpUrl,
      await login(httpUrl, 'family', /family\s+family \/ (\S+)/.exec(out)?.[1] ?? ''),
    );
    const theirs = await family.call<Array<{ householdId: string }>>('GET', '/api/incidents');
    expect(theirs.map((i) => i.householdId)).toEqual(theirs.map(() => 'hh-D0001'));
    expect(theirs.length).toBeGreaterThan(0);

    const exited = new Promise<number | null>((resolve) => c.on('exit', (code) => resolve(code)));
    c.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(out).toMatch(/stopped \(\d+ household steps, \d+ scenarios\)/);
  }, 60_000);
});
