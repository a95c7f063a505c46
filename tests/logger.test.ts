/**
 * Log lines a person can read (issue 24, item 9): pretty on a terminal, JSON lines anywhere else. The
 * terminal is a real pseudo-terminal: util-linux `script` runs `npm start` on one, and a Ctrl-C typed
 * into it reaches the hub as a terminal's does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleLogger, logFormatFor } from '../kernel/logger.ts';
import { until } from '../simulators/device.ts';
import { type Foreground, killForeground, root, startForeground } from './helpers/foreground.ts';
import { requireTool } from './helpers/tools.ts';

const node = join(root, 'node_modules', '.bin', 'node');
// biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour sequences are what is removed
const ANSI = /\u001b\[[0-9;]*m/g;
/** pino-pretty's line: [local time] LEVEL (name): message {fields} */
const PRETTY_LINE = /^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN|ERROR)\b.*: /;

/** A stream that records what is written, as a terminal (isTTY) or a pipe would take it. */
function recorder(isTTY: boolean) {
  const lines: string[] = [];
  const stream = { isTTY, write: (s: string) => lines.push(s) > 0 } as unknown as NodeJS.WriteStream;
  return { stream, text: () => lines.join('') };
}

/** `npm start` on a pseudo-terminal: `script` gives it one, its stdin is the terminal's keyboard. */
function onTerminal(env: Record<string, string>): Foreground {
  return startForeground(
    requireTool('script', 'bsdutils'),
    ['-qfec', 'npm start --silent', '/dev/null'],
    env,
    'pipe',
  );
}

/** The output's lines without colours and without the `^C` the terminal echoes for a Ctrl-C. */
const lines = (text: string) =>
  text
    .replace(ANSI, '')
    .replaceAll('^C', '')
    .split(/\r?\n/)
    .filter((l) => l.trim() !== '');

describe('log lines', () => {
  const runs: Foreground[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    await killForeground(runs);
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const dataDir = () => {
    const d = mkdtempSync(join(tmpdir(), 'hub-log-'));
    dirs.push(d);
    return d;
  };

  it('HUB_LOG_FORMAT auto is pretty on a terminal and JSON otherwise; json and pretty force it', () => {
    expect(logFormatFor('auto', true)).toBe('pretty');
    expect(logFormatFor('auto', false)).toBe('json');
    expect(logFormatFor('auto', undefined)).toBe('json');
    expect(logFormatFor('json', true)).toBe('json');
    expect(logFormatFor('pretty', false)).toBe('pretty');
  });

  it('pretty lines carry level, message and fields, and redact what JSON lines redact', () => {
    for (const isTTY of [true, false]) {
      const out = recorder(isTTY);
      const log = createConsoleLogger('info', 'pretty', out.stream);
      log.info({ room: 'kernel', user: { password: 'hunter2-hunter2' } }, 'user created');
      const [line, ...rest] = lines(out.text());
      expect(rest).toEqual([]);
      expect(line).toMatch(PRETTY_LINE);
      expect(line).toContain('INFO: user created');
      expect(line).toContain('"room":"kernel"');
      expect(line).toContain('[redacted]');
      expect(out.text()).not.toContain('hunter2');
      // colours only for a terminal
      expect(ANSI.test(out.text())).toBe(isTTY);
    }
    const piped = recorder(false);
    createConsoleLogger('info', 'auto', piped.stream).info({ token: 'abc' }, 'hello');
    expect(JSON.parse(piped.text())).toMatchObject({ level: 30, msg: 'hello', token: '[redacted]' });
  });

  it('npm start on a terminal prints readable lines, and Ctrl-C typed there stops it', async () => {
    const hub = onTerminal({ HUB_DATA_DIR: dataDir() });
    runs.push(hub);
    await until(() => hub.output().includes('Log in as'), 30_000, `the banner:\n${hub.output()}`);
    const logged = lines(hub.output()).filter((l) => PRETTY_LINE.test(l));
    expect(logged.some((l) => l.includes('migration applied'))).toBe(true);
    expect(hub.output()).not.toContain('{"level"');

    hub.child.stdin?.write('\u0003'); // Ctrl-C on the terminal
    await until(
      () => hub.child.exitCode !== null || hub.child.signalCode !== null,
      10_000,
      `the hub to stop:\n${hub.output()}`,
    );
    expect(lines(hub.output()).some((l) => PRETTY_LINE.test(l) && l.includes('stopping (SIGINT)'))).toBe(
      true,
    );
    expect(hub.output()).not.toContain('again: ending at once');
  }, 60_000);

  it('prints JSON lines into a pipe, and on a terminal with HUB_LOG_FORMAT=json', async () => {
    for (const hub of [
      startForeground(node, ['main.ts'], { HUB_DATA_DIR: dataDir() }),
      onTerminal({ HUB_DATA_DIR: dataDir(), HUB_LOG_FORMAT: 'json' }),
    ]) {
      runs.push(hub);
      await until(() => hub.output().includes('Log in as'), 30_000, `the banner:\n${hub.output()}`);
      const json = lines(hub.output()).filter((l) => l.startsWith('{'));
      expect(json.map((l) => (JSON.parse(l) as { msg: string }).msg)).toContain('migration applied');
      expect(lines(hub.output()).filter((l) => PRETTY_LINE.test(l))).toEqual([]);
    }
  }, 60_000);
});
