import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema, envName } from '../kernel/config.ts';
import { requireTool } from './helpers/tools.ts';

// What this machine can check of the deploy files without a Docker daemon: the unit with systemd's own
// verifier, the Dockerfile and compose file by reading them (the README says what is not run).
const root = join(import.meta.dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const HUB_VARS = new Set(Object.keys(ConfigSchema.properties).map(envName));
const hubVarsIn = (text: string) => [...text.matchAll(/\b(HUB_[A-Z0-9_]+)\b/g)].map((m) => m[1] as string);

describe('deploy files', () => {
  it('the systemd unit passes systemd-analyze verify with no warning, hardened, as a non-root user', () => {
    const unit = read('deploy/systemd/eldercare-hub.service');
    expect(unit).toMatch(/^User=eldercare-hub$/m);
    for (const option of [
      'NoNewPrivileges=yes',
      'ProtectSystem=strict',
      'PrivateTmp=yes',
      'CapabilityBoundingSet=',
    ])
      expect(unit).toContain(option);
    // verify needs ExecStart to exist: the same unit, pointed at this checkout and an existing user.
    const dir = mkdtempSync(join(tmpdir(), 'hub-unit-'));
    try {
      const file = join(dir, 'eldercare-hub.service');
      writeFileSync(
        file,
        unit.replaceAll('/opt/eldercare-hub', root).replace(/^(User|Group)=eldercare-hub$/gm, '$1=root'),
      );
      const r = spawnSync(requireTool('systemd-analyze', 'systemd'), ['verify', file], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(`${r.stdout}${r.stderr}`.trim()).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(hubVarsIn(unit).filter((v) => !HUB_VARS.has(v))).toEqual([]);
  });

  it('the Dockerfile runs Node 24 as a non-root user with a health check, copying only what exists', () => {
    const lines = read('Dockerfile')
      .replace(/\\\n/g, ' ')
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    const instructions = lines.map((l) => l.trim().split(/\s+/)[0]?.toUpperCase());
    expect(lines[0]).toMatch(/^FROM node:24[-\w.]*$/);
    const user = lines.findLastIndex((l) => l.startsWith('USER '));
    expect(user).toBeGreaterThan(instructions.lastIndexOf('RUN'));
    expect(lines[user]).not.toMatch(/USER\s+(root|0)\b/);
    expect(instructions).toContain('HEALTHCHECK');
    expect(lines.find((l) => l.startsWith('HEALTHCHECK'))).toContain('/healthz');
    expect(lines.at(-1)).toBe('CMD ["node", "main.ts"]');
    for (const l of lines.filter((x) => x.startsWith('COPY '))) {
      const sources = l.split(/\s+/).slice(1, -1);
      for (const s of sources) expect(existsSync(join(root, s)), `COPY ${s}`).toBe(true);
    }
    const ignored = read('.dockerignore').split('\n');
    for (const p of ['node_modules', 'data', '.git', '*.secrets.csv']) expect(ignored).toContain(p);
    expect(hubVarsIn(read('Dockerfile')).filter((v) => !HUB_VARS.has(v))).toEqual([]);
  });

  it('compose.yaml parses, builds the hub from this directory, and names only real HUB_ settings', () => {
    const compose = parse(read('compose.yaml')) as {
      services: Record<string, { build?: string; image?: string; environment?: Record<string, string> }>;
    };
    expect(Object.keys(compose.services).sort()).toEqual(['grafana', 'hub', 'influxdb', 'prometheus']);
    expect(compose.services.hub?.build).toBe('.');
    const env = Object.keys(compose.services.hub?.environment ?? {});
    expect(env.filter((v) => !HUB_VARS.has(v))).toEqual([]);
    expect(compose.services.hub?.environment?.HUB_INFLUX_URL).toBe('http://influxdb:8086');
    // Files mounted from this repository (Grafana's provisioning and dashboard, Prometheus's config) exist.
    const mounts = Object.values(compose.services)
      .flatMap((svc) => (svc as { volumes?: string[] }).volumes ?? [])
      .map((v) => v.split(':')[0] ?? '')
      .filter((src) => src.startsWith('./'));
    expect(mounts.length).toBeGreaterThanOrEqual(3);
    for (const src of mounts) expect(existsSync(join(root, src)), src).toBe(true);
  });
});
