import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { MEASUREMENTS, READING_FIELDS } from '../ingest/influx-schema.ts';
import { ManualClock } from '../kernel/clock.ts';
import { SimDevice } from '../simulators/device.ts';
import { MORNING } from './helpers/alerts.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

/**
 * There is no Grafana on this machine (neither Debian nor npm ships one), so the shipped dashboard is
 * checked against what the hub really exposes: every metric a panel names is in /metrics, with the labels
 * the panel groups or filters by, and every InfluxQL panel reads a measurement and fields the hub writes.
 */
const root = join(import.meta.dirname, '..');
const dashboard = JSON.parse(
  readFileSync(join(root, 'deploy/grafana/dashboards/eldercare-hub.json'), 'utf8'),
) as {
  panels: Array<{
    title: string;
    datasource: { uid: string };
    targets: Array<{ expr?: string; query?: string; datasource: { uid: string } }>;
  }>;
};
const datasources = parse(
  readFileSync(join(root, 'deploy/grafana/provisioning/datasources/hub.yaml'), 'utf8'),
) as {
  datasources: Array<{ uid: string; type: string }>;
};

const METRIC = /\b(?:hub|nodejs|process)_[a-z0-9_]+\b/g;
const SUFFIX = /_(bucket|count|sum)$/;

describe('the Grafana dashboard', () => {
  let h: IncidentsHub;
  let exposed = '';
  beforeAll(async () => {
    h = await startIncidentsHub(new ManualClock(MORNING));
    await h.sos(await h.button('btn-1'), { opened: 1 });
    // acknowledged within the minute: today's SLA share and an alarm-path hop have samples too
    const id = h.opened[0]?.incident.id ?? '';
    const ack = await h.api('POST', `/api/incidents/${id}/acknowledge`, { token: h.adminToken });
    expect(ack.status).toBe(200);
    // a refused connect, so the security events have a series too
    await new SimDevice({ url: h.t.mqttUrl, id: 'btn-1', secret: 'not-its-secret', type: 'button' })
      .connect()
      .catch(() => undefined);
    await h.api('GET', '/api/incidents', { token: h.adminToken });
    exposed = await (await fetch(`${h.t.httpUrl}/metrics`)).text();
  });
  afterAll(async () => {
    await h?.t.stop();
  });

  const types = () => new Set([...exposed.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] as string));
  /** label names seen on a metric's samples (its _bucket series for a histogram) */
  const labelsOf = (metric: string) => {
    const names = new Set<string>();
    for (const m of exposed.matchAll(new RegExp(`^${metric}(?:_bucket|_count|_sum)?\\{([^}]*)\\}`, 'gm')))
      for (const pair of (m[1] ?? '').split(',')) names.add(pair.split('=')[0] ?? '');
    return names;
  };

  it('names only metrics /metrics has, grouped and filtered by labels they carry', () => {
    const known = types();
    const missing: string[] = [];
    const badLabels: string[] = [];
    const prom = dashboard.panels.flatMap((p) =>
      p.targets.filter((t) => t.expr).map((t) => ({ p, expr: t.expr ?? '' })),
    );
    expect(prom.length).toBeGreaterThan(10);
    for (const { p, expr } of prom) {
      for (const name of expr.match(METRIC) ?? []) {
        const base = known.has(name) ? name : name.replace(SUFFIX, '');
        if (!known.has(base)) {
          missing.push(`${p.title}: ${name}`);
          continue;
        }
        const used = [
          ...[...expr.matchAll(/by \(([^)]*)\)/g)].flatMap((m) =>
            (m[1] ?? '').split(',').map((s) => s.trim()),
          ),
          ...[...expr.matchAll(new RegExp(`${name}\\{([^}]*)\\}`, 'g'))].flatMap((m) =>
            (m[1] ?? '').split(',').map((s) => s.split('=')[0]?.trim() ?? ''),
          ),
        ].filter((l) => l !== '' && l !== 'le');
        const has = labelsOf(base);
        // A metric without samples yet shows no labels; only one with samples can be checked.
        if (has.size > 0)
          for (const l of used) if (!has.has(l)) badLabels.push(`${p.title}: ${name} has no label ${l}`);
      }
    }
    expect(missing).toEqual([]);
    expect(badLabels).toEqual([]);
  });

  it('reads InfluxDB measurements and fields the hub writes, through a provisioned data source', () => {
    const uids = new Set(datasources.datasources.map((d) => d.uid));
    for (const p of dashboard.panels) {
      expect(uids.has(p.datasource.uid), p.title).toBe(true);
      for (const t of p.targets) expect(uids.has(t.datasource.uid), p.title).toBe(true);
    }
    const fields = new Set(Object.values(READING_FIELDS).map((f) => f.field));
    const measurements = new Set<string>(Object.values(MEASUREMENTS));
    const influx = dashboard.panels.flatMap((p) =>
      p.targets.filter((t) => t.query).map((t) => t.query ?? ''),
    );
    expect(influx.length).toBeGreaterThanOrEqual(2);
    for (const q of influx) {
      const from = /FROM "([a-z_]+)"/.exec(q)?.[1] ?? '';
      expect(measurements.has(from), q).toBe(true);
      for (const f of [...q.matchAll(/(?:mean|sum|max|min|last)\("([a-z_]+)"\)/g)].map((m) => m[1] ?? ''))
        expect(fields.has(f), `${f} in ${q}`).toBe(true);
    }
  });
});
