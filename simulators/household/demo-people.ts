import type { HubApi } from './hub-api.ts';

/** The demo's console users, with known passwords printed at start (a demo, never production). */
export const DEMO_USERS = [
  { username: 'dispatcher', role: 'dispatcher', password: 'demo-dispatcher', displayName: '调度员 小陈' },
  { username: 'supervisor', role: 'supervisor', password: 'demo-supervisor', displayName: '值班主管 老周' },
  { username: 'family', role: 'family', password: 'demo-family', displayName: '李明 (son)' },
  { username: 'responder', role: 'responder', password: 'demo-responder', displayName: '网格员 王芳' },
] as const;

/** The responder record the `responder` user acts as: the grid worker of every demo grid. */
export const DEMO_RESPONDER_ID = 'resp-demo';

/**
 * The users (POST /api/users; the family user linked to `familyHousehold`) and a grid-worker responder
 * linked to the responder user (POST /api/responders). Already there (a second run on the same data
 * directory): left as they are.
 */
export async function createDemoPeople(api: HubApi, familyHousehold: string, grids: string[]): Promise<void> {
  const existing = await api.call<Array<{ id: number; username: string }>>('GET', '/api/users');
  for (const u of DEMO_USERS) {
    if (existing.some((e) => e.username === u.username)) continue;
    await api.call('POST', '/api/users', {
      ...u,
      ...(u.role === 'family' ? { households: [familyHousehold] } : {}),
    });
  }
  const users = await api.call<Array<{ id: number; username: string }>>('GET', '/api/users');
  const responderUser = users.find((u) => u.username === 'responder');
  const known = await api.call<{ id?: string }>(
    'GET',
    `/api/responders/${DEMO_RESPONDER_ID}`,
    undefined,
    [200, 404],
  );
  const body = {
    name: '王芳',
    kind: 'grid_worker',
    phone: '+86 138 0000 0002',
    grids,
    userId: responderUser?.id ?? null,
  };
  if (known?.id !== DEMO_RESPONDER_ID)
    await api.call('POST', '/api/responders', { id: DEMO_RESPONDER_ID, ...body });
}
