import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHub, type TestHub } from './helpers/hub.ts';

interface Parameter {
  in: string;
  name: string;
  schema?: { type?: string };
}
interface Operation {
  parameters?: Parameter[];
}

describe('numbers in requests: finite integers in range, never a 5xx', () => {
  let t: TestHub;
  let token = '';
  beforeAll(async () => {
    t = await startTestHub();
    token = await t.login();
  });
  afterAll(() => t.stop());

  it('answers 400 for Infinity, -Infinity and 1e400 in every numeric query parameter of every GET route', async () => {
    const doc = (await (await fetch(`${t.httpUrl}/api/docs/json`)).json()) as {
      paths: Record<string, Record<string, Operation>>;
    };
    const tried: string[] = [];
    for (const [path, methods] of Object.entries(doc.paths)) {
      const get = methods.get;
      if (!get || path.includes('{')) continue;
      for (const p of get.parameters ?? []) {
        if (p.in !== 'query' || (p.schema?.type !== 'integer' && p.schema?.type !== 'number')) continue;
        for (const bad of ['Infinity', '-Infinity', '1e400']) {
          const res = await fetch(`${t.httpUrl}${path}?${p.name}=${bad}`, {
            headers: { authorization: `Bearer ${token}` },
          });
          tried.push(`${path}?${p.name}=${bad} ${res.status}`);
          expect(res.status, `${path}?${p.name}=${bad}`).toBe(400);
          const body = (await res.json()) as { error: { code: string; message: string } };
          expect(body.error.code).toBe('HUB_ERR_VALIDATION');
          expect(body.error.message).not.toMatch(/SQL|datatype|stack/i);
        }
      }
    }
    // the four list routes that answered 500 before, among them
    for (const path of [
      '/api/incidents',
      '/api/quarantine',
      '/api/dead-letter',
      '/api/notifications/deliveries',
    ])
      expect(tried.some((x) => x.startsWith(`/api${path.slice(4)}?limit=Infinity`))).toBe(true);
  });

  it('answers 400 for a non-finite number in a JSON body (1e400 parses as Infinity)', async () => {
    const res = await fetch(`${t.httpUrl}/api/households`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{"id":"hh-x","address":"幸福路 1号","grid":"g-1","location":{"lat":1e400,"lon":116.5}}',
    });
    expect(res.status).toBe(400);
    expect(await t.hub.registry.households.get('hh-x')).toBeNull();
  });
});
