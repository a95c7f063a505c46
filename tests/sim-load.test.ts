import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const node = join(root, 'node_modules', '.bin', 'node');

describe('npm run load', () => {
  it('connects every device of the households with its credentials, sends, and sums up', async () => {
    const { stdout, stderr } = await promisify(execFile)(
      node,
      ['simulators/load.ts', '--households', '2', '--duration', '3', '--json'],
      { cwd: root, timeout: 50_000 },
    );
    // a progress line every second
    expect(stderr).toMatch(/traffic\s+\d+ s\s+connected 16\/16\s+sent \d+\s+acked \d+\s+errors 0/);
    expect(stdout).toMatch(/connected\s+16 of 16 \(connect errors 0\)/);
    expect(stdout).toMatch(/messages\s+sent \d+, acknowledged \d+, errors 0, unanswered 0/);
    const summary = JSON.parse(stdout.trim().split('\n').at(-1) as string) as Record<string, unknown>;
    expect(summary).toMatchObject({ households: 2, devices: 16, connected: 16, connectErrors: 0, errors: 0 });
    // every device reports once right after connecting (its boot report), the motion sensors' events on top
    expect(summary.acked).toBe(summary.sent);
    expect(summary.sent).toBeGreaterThanOrEqual(16);
    expect(Object.keys(summary.byType as object).sort()).toEqual([
      'button',
      'leak',
      'motion',
      'water_meter',
      'wristband',
    ]);
  }, 60_000);
});
