/**
 * `npm test` on a fresh Debian machine (issue 24, item 10): its pretest installs the Debian packages the
 * tests need, from the one list .ci/run uses too, or stops at once with the line that installs them.
 * The script runs for real, with stand-ins for dpkg-query, id and apt-get first on its PATH.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const SCRIPT = 'scripts/test-prerequisites.sh';

/** The list's packages, as the script reads it (a package a line, `#` comments). */
const PACKAGES = read('scripts/debian-test-packages.txt')
  .split('\n')
  .map((l) => l.replace(/#.*/, '').trim())
  .filter((l) => l !== '');

const work = mkdtempSync(join(tmpdir(), 'hub-prereq-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Stand-ins: dpkg-query knows $FAKE_INSTALLED, id -u answers $FAKE_UID, apt-get logs its arguments. */
const bin = join(work, 'bin');
const aptLog = join(work, 'apt-get.log');
function stub(name: string, body: string): void {
  const file = join(bin, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}
mkdirSync(bin);
stub(
  'dpkg-query',
  'for p in $FAKE_INSTALLED; do [ "$p" = "$3" ] && { printf "install ok installed"; exit 0; }; done; exit 1',
);
stub('id', 'echo "$FAKE_UID"');
stub('apt-get', `echo "$*" >> '${aptLog}'; [ "$1" != install ] || [ -z "$FAKE_APT_FAILS" ]`);

function prerequisites(installed: readonly string[], uid: number, env: Record<string, string> = {}) {
  rmSync(aptLog, { force: true });
  const started = Date.now();
  const run = spawnSync('bash', [SCRIPT], {
    cwd: root,
    env: { PATH: `${bin}:/usr/bin:/bin`, FAKE_INSTALLED: installed.join(' '), FAKE_UID: String(uid), ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });
  let apt: string[] = [];
  try {
    apt = readFileSync(aptLog, 'utf8').trim().split('\n');
  } catch {}
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, apt, ms: Date.now() - started };
}

/** Every source file below `dir` (tests, simulators), for what they ask of Debian. */
function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => readFileSync(join(e.parentPath, e.name), 'utf8'));
}

describe('the test prerequisites', () => {
  it('are one list, used by npm test (pretest) and by .ci/run, which still runs the README test command', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.pretest).toBe(`bash ${SCRIPT}`);
    const ci = read('.ci/run');
    expect(ci).toContain(`bash ${SCRIPT}`);
    // .ci/run installs nothing itself; the packages it names for its readers are the list's
    expect(ci).not.toContain('apt-get');
    expect(/^# Today: (.+)$/m.exec(ci)?.[1]?.split(' ')).toEqual(PACKAGES);
    expect(ci.trim().split('\n').at(-1)).toBe('npm test');
    expect(read('README.md')).toMatch(/^npm test {2,}#/m);
    expect(PACKAGES).toEqual(expect.arrayContaining(['influxdb', 'chromium', 'mosquitto-clients']));
  });

  it('name every Debian package a test or simulator asks for', () => {
    const asked = new Set<string>();
    for (const text of [...sources('tests'), ...sources('simulators')]) {
      for (const m of text.matchAll(/requireTool\([^,()]+, '([a-z0-9.+-]+)'\)/g)) asked.add(m[1] as string);
      for (const m of text.matchAll(/install Debian's ([a-z0-9.+-]+)/g)) asked.add(m[1] as string);
    }
    expect(asked.size).toBeGreaterThanOrEqual(5);
    expect([...asked].filter((p) => !PACKAGES.includes(p))).toEqual([]);
  });

  it('with everything installed: nothing to do, no apt-get at all, at once', () => {
    const run = prerequisites(PACKAGES, 0);
    expect(run.code).toBe(0);
    expect(`${run.stdout}${run.stderr}`).toBe('');
    expect(run.apt).toEqual([]);
    expect(run.ms).toBeLessThan(3000);
    // and on this machine for real (the tests are running, so its packages are here)
    const real = spawnSync('bash', [SCRIPT], { cwd: root, encoding: 'utf8' });
    expect([real.status, real.stdout, real.stderr]).toEqual([0, '', '']);
  });

  it('not root: stops at once with the one line that installs what is missing, and installs nothing', () => {
    const run = prerequisites(
      PACKAGES.filter((p) => p !== 'chromium' && p !== 'influxdb'),
      1000,
    );
    expect(run.code).toBe(1);
    expect(run.apt).toEqual([]);
    expect(run.stdout).toBe('');
    const commands = run.stderr.split('\n').filter((l) => l.includes('apt-get install'));
    expect(commands).toEqual([
      '  sudo apt-get update && sudo apt-get install -y --no-install-recommends influxdb chromium',
    ]);
    expect(run.ms).toBeLessThan(3000);
  });

  it('as root with apt-get: installs exactly what is missing', () => {
    const run = prerequisites(
      PACKAGES.filter((p) => p !== 'mosquitto-clients'),
      0,
    );
    expect(run.code).toBe(0);
    expect(run.apt).toEqual(['update -qq', 'install -y -qq --no-install-recommends mosquitto-clients']);
    expect(run.stdout).toContain('installing Debian packages: mosquitto-clients');
    // an install that fails fails the run
    const failing = prerequisites([], 0, { FAKE_APT_FAILS: '1' });
    expect(failing.code).not.toBe(0);
    expect(failing.apt.at(-1)).toBe(`install -y -qq --no-install-recommends ${PACKAGES.join(' ')}`);
  });
});
