import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { MIN, MORNING } from './helpers/alerts.ts';
import { errorCode } from './helpers/api.ts';
import { type IncidentsHub, startIncidentsHub } from './helpers/incidents.ts';

interface Row {
  id: string;
  householdId: string;
  grid: string | null;
  class: string;
  state: string;
  stages: Record<string, { met: boolean | null }>;
}

describe('incident list export: a date range as CSV or JSON, by class, state and grid', () => {
  let h: IncidentsHub | null = null;
  afterEach(async () => {
    await h?.t.stop();
    h = null;
  });

  it('exports what was opened in the range, filters it, and answers CSV with a header', async () => {
    const clock = new ManualClock(MORNING);
    h = await startIncidentsHub(clock);
    await h.sos(await h.button('btn-1'), { opened: 1 });
    const east = await h.button('btn-2', 'hh-east');
    await h.t.hub.registry.households.upsert({ id: 'hh-east', address: '东 路 2号', grid: 'grid-east' });
    await h.sos(east, { opened: 2 });
    const first = h.opened[0]?.incident.id ?? '';
    await h.api('POST', `/api/incidents/${first}/acknowledge`, { token: h.adminToken });
    const range = `from=${MORNING - 60 * MIN}&to=${MORNING + 60 * MIN}`;
    const hub = h;
    const get = (q: string) => hub.api('GET', `/api/incidents/export?${q}`, { token: hub.adminToken });

    const all = (await get(range)).body as Row[];
    expect(all.map((r) => [r.householdId, r.grid, r.class, r.state]).sort()).toEqual([
      ['hh-east', 'grid-east', 'emergency', 'open'],
      ['hh-test', 'grid-1', 'emergency', 'acknowledged'],
    ]);
    expect(all.find((r) => r.id === first)?.stages.acknowledge?.met).toBe(true);
    expect(((await get(`${range}&grid=grid-east`)).body as Row[]).map((r) => r.householdId)).toEqual([
      'hh-east',
    ]);
    expect(((await get(`${range}&state=acknowledged`)).body as Row[]).map((r) => r.id)).toEqual([first]);
    expect((await get(`${range}&class=wellness`)).body).toEqual([]);
    // Outside the range: nothing.
    expect((await get(`from=${MORNING + 60 * MIN}&to=${MORNING + 120 * MIN}`)).body).toEqual([]);

    const csv = await get(`${range}&format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(csv.headers.get('content-disposition')).toContain('attachment; filename="incidents-');
    const lines = csv.text.trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^id,opened_at,household_id,grid,class,alarm_type,severity,state,/);
    expect(lines).toHaveLength(3);
    expect(lines.some((l) => l.startsWith(`${first},`) && l.includes(',acknowledged,'))).toBe(true);
    // No personal data in it: the resident's name and the address stay in the console.
    expect(csv.text).not.toContain('王奶奶');
    expect(csv.text).not.toContain('幸福路');
  });

  it('is for the dispatch center, and refuses a range that ends before it starts', async () => {
    h = await startIncidentsHub(new ManualClock(MORNING));
    const family = await h.user('fam-x', 'family', ['hh-test']);
    const refused = await h.api('GET', `/api/incidents/export?from=0&to=${MORNING}`, { token: family.token });
    expect(refused.status).toBe(403);
    const backwards = await h.api('GET', `/api/incidents/export?from=${MORNING}&to=0`, {
      token: h.adminToken,
    });
    expect(backwards.status).toBe(400);
    expect(errorCode(backwards)).toBe('HUB_ERR_VALIDATION');
  });
});
