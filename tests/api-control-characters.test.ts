import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importProvisioning } from '../kernel/provisioning/index.ts';
import { type Api, apiClient } from './helpers/api.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

describe('names and addresses refuse control characters', () => {
  let t: TestHub;
  let api: Api;
  let token = '';
  beforeAll(async () => {
    t = await startTestHub();
    api = apiClient(t.httpUrl);
    token = await t.login();
  });
  afterAll(() => t.stop());

  it('answers 400 through the API for NUL, BEL and ESC in an address, a name or a display name', async () => {
    for (const bad of ['\u0000', '\u0007', '\u001b[31m']) {
      const household = await api('POST', '/api/households', {
        token,
        body: { id: 'hh-ctl', address: `幸福路${bad}1号`, grid: 'g-1' },
      });
      expect(household.status).toBe(400);
      const user = await api('POST', '/api/users', {
        token,
        body: {
          username: 'ctl-user',
          role: 'dispatcher',
          password: 'ctl-password-1',
          displayName: `王${bad}芳`,
        },
      });
      expect(user.status).toBe(400);
    }
    expect(await t.hub.registry.households.get('hh-ctl')).toBeNull();
    expect(await t.hub.registry.people.userByName('ctl-user')).toBeNull();
    // ordinary text, Chinese and punctuation included, is fine
    const ok = await api('POST', '/api/households', {
      token,
      body: { id: 'hh-ok', address: '幸福路 12号（东门）, 3-2', grid: 'g-1' },
    });
    expect(ok.status).toBe(201);
  });

  it('reports them as bad rows in an import, importing nothing', async () => {
    const doc = {
      households: [
        {
          id: 'hh-imp-ctl',
          address: '幸福路 1号',
          grid: 'g-1',
          residents: [{ id: 'r-imp-ctl', name: '张\u0007奶奶' }],
        },
      ],
    };
    const report = await importProvisioning(t.hub.registry, { format: 'json', content: JSON.stringify(doc) });
    expect(report.ok).toBe(false);
    expect(report.problems.map((p) => p.reason).join(' ')).toMatch(/control characters/);
    expect(await t.hub.registry.households.get('hh-imp-ctl')).toBeNull();
  });
});
