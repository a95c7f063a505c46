import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface DrainOptions {
  devices: number;
  rate: number;
  durationS: number;
  outageS: number;
}

export interface DrainResult {
  /** the report of bench-ingest.ts as it printed it (without its Machine line) */
  lines: string[];
  /** backlog lines per second once the writer resumed */
  drainPerS: number;
  /** sustained points/s visible in InfluxDB before the outage */
  sustainedPerS: number;
  exitCode: number | null;
}

/**
 * InfluxDB drain rate after an outage: runs `simulators/bench-ingest.ts` (a real influxd, the hub, paced
 * publishing, influxd stopped for `outageS` while publishing goes on, then the backlog timed) and reads
 * its report.
 */
export function benchInfluxDrain(o: DrainOptions): Promise<DrainResult> {
  const child = spawn(
    process.execPath,
    [
      join(import.meta.dirname, '..', 'bench-ingest.ts'),
      '--devices',
      String(o.devices),
      '--rate',
      String(o.rate),
      '--duration',
      String(o.durationS),
      '--outage',
      String(o.outageS),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  return new Promise((resolve) => {
    child.on('exit', (code) => {
      const lines = out.split('\n').filter((l) => l && !l.startsWith('Machine:'));
      resolve({
        lines,
        drainPerS: Number(/then \d+ lines in [\d.]+ s = (\d+) lines\/s/.exec(out)?.[1] ?? Number.NaN),
        sustainedPerS: Number(/Sustained: (\d+) points\/s/.exec(out)?.[1] ?? Number.NaN),
        exitCode: code,
      });
    });
  });
}
