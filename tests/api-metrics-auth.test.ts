import { afterEach, describe, expect, it } from 'vitest';
import { connectDevice } from './helpers/devices.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

const TOKEN = 'prometheus-scrape-token-2026';

describe('operators’ surfaces: /metrics and the OpenAPI document', () => {
  let t: TestHub | null = null;
  afterEach(async () => {
    await t?.stop();
    t = null;
  });

  it('are open by default (metricsAuth none) and carry no household or device id in a label', async () => {
    t = await startTestHub();
    const band = await connectDevice(t, 'wb-label-check', 'wristband', { householdId: 'hh-label-check' });
    await band.telemetry({ heartRate: 71 });
    await band.raw('telemetry', 'not json');
    await band.end();
    const metrics = await fetch(`${t.httpUrl}/metrics`);
    expect(metrics.status).toBe(200);
    const text = await metrics.text();
    expect(text).toContain('hub_ingest_accepted_total');
    expect(text).not.toContain('wb-label-check');
    expect(text).not.toContain('hh-label-check');
    expect((await fetch(`${t.httpUrl}/api/docs/json`)).status).toBe(200);
  });

  it('want the bearer token with metricsAuth token', async () => {
    t = await startTestHub({ metricsAuth: 'token', metricsToken: TOKEN });
    for (const path of ['/metrics', '/api/docs/json']) {
      expect((await fetch(`${t.httpUrl}${path}`)).status).toBe(401);
      const wrong = await fetch(`${t.httpUrl}${path}`, {
        headers: { authorization: 'Bearer not-the-token-at-all' },
      });
      expect(wrong.status).toBe(401);
      const right = await fetch(`${t.httpUrl}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(right.status).toBe(200);
    }
    // the health check stays open for the load balancer
    expect((await fetch(`${t.httpUrl}/healthz`)).status).toBe(200);
  });

  it('refuse to start with metricsAuth token and no token', async () => {
    await expect(startTestHub({ metricsAuth: 'token' })).rejects.toThrow(/metricsToken/);
  });
});
