import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { MORNING } from './helpers/alerts.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';
import { sample } from './helpers/metrics.ts';

describe('/metrics as Prometheus expects it (prom-client)', () => {
  let h: IncidentsHub | null = null;
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  it('shows the process, the alarm path as histograms, devices by type and open incidents by class and state', async () => {
    h = await startIncidentsHub(new ManualClock(MORNING));
    const button = await h.button('btn-1');
    await h.sos(button, { opened: 1 });
    await h.api('GET', '/api/incidents', { token: h.adminToken });
    const text = await (await fetch(`${h.t.httpUrl}/metrics`)).text();

    // The process's own: event loop lag, memory, GC.
    expect(sample(text, 'nodejs_eventloop_lag_p99_seconds')).not.toBeNull();
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE nodejs_gc_duration_seconds histogram');
    // The SOS: acknowledged once it was durable, in a group commit of the urgent lane.
    expect(text).toContain('# TYPE hub_mqtt_publish_ack_seconds histogram');
    expect(sample(text, 'hub_mqtt_publish_ack_seconds_count', { channel: 'event' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sample(text, 'hub_ingest_group_commit_seconds_count', { lane: 'urgent' })).toBeGreaterThanOrEqual(
      1,
    );
    expect(sample(text, 'hub_ingest_group_commit_writes_count')).toBeGreaterThanOrEqual(1);
    // HTTP latency by route template, InfluxDB write latency (no InfluxDB here: no observation yet).
    expect(
      sample(text, 'hub_http_request_duration_seconds_count', { route: 'GET /api/incidents' }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'hub_influx_write_seconds_count')).toBe(0);
    // Gauges: the connected button by its type, the open SOS incident by class and state.
    expect(sample(text, 'hub_mqtt_connected_devices', { type: 'button' })).toBe(1);
    expect(sample(text, 'hub_incidents_open', { class: 'emergency', state: 'open' })).toBe(1);
    expect(sample(text, 'hub_live_send_queue_bytes')).toBe(0);
    // No household or device id in any label.
    expect(text).not.toContain('hh-test');
    expect(text).not.toContain('btn-1');

    await h.api('POST', `/api/incidents/${h.opened[0]?.incident.id}/acknowledge`, { token: h.adminToken });
    const after = await (await fetch(`${h.t.httpUrl}/metrics`)).text();
    expect(sample(after, 'hub_incidents_open', { class: 'emergency', state: 'open' })).toBeNull();
    expect(sample(after, 'hub_incidents_open', { class: 'emergency', state: 'acknowledged' })).toBe(1);
  });
});
