import { mkdtempSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../kernel/clock.ts';
import { LEASE_MS } from '../kernel/provisioning/import-jobs.ts';
import { SimDevice } from '../simulators/device.ts';
import { importedHousehold, importFile } from '../simulators/household/import-file.ts';
import { type Api, apiClient, errorCode, userWithToken } from './helpers/api.ts';
import { type ChildHub, killHard, startChildHub } from './helpers/child-hub.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';

interface Job {
  id: string;
  state: string;
  households: { total: number | null; written: number };
  counts: Record<string, { created: number; updated: number }>;
  reason: string | null;
  secrets: string;
}

/** Polls the job (as its starter: that keeps it alive) until `until` holds; at most `ms` of real time. */
async function follow(
  api: Api,
  token: string,
  id: string,
  until: (j: Job) => boolean,
  ms = 60_000,
): Promise<Job> {
  const end = Date.now() + ms;
  for (;;) {
    const answer = await api('GET', `/api/import/jobs/${id}`, { token });
    expect(answer.status, answer.text).toBe(200);
    const job = answer.body as Job;
    if (until(job)) return job;
    if (Date.now() > end) throw new Error(`import job still ${job.state} after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
const FINAL = new Set(['committed', 'refused', 'invalid', 'rolled_back', 'failed']);
const finished = (j: Job) => FINAL.has(j.state);
/** Writing, with a batch or more committed and more to come. */
const midway = (j: Job) => j.state === 'writing' && j.households.written > 0;

async function householdIds(api: Api, token: string): Promise<string[]> {
  const answer = await api('GET', '/api/households', { token });
  return (answer.body as Array<{ id: string }>).map((h) => h.id).sort();
}

/** A call button connected with `secret`: its SOS (QoS 1) must be acknowledged, i.e. stored durably. */
async function sosAcknowledged(mqttUrl: string, id: string, secret: string): Promise<void> {
  const device = await new SimDevice({ url: mqttUrl, id, secret, type: 'button' }).connect();
  try {
    await device.event('sos');
  } finally {
    await device.end();
  }
}

/** The first household of the generated file, as a county already has it, with another address. */
const existing = { households: [{ ...importedHousehold(1), address: '汶上县 旧地址 1号' }] };

describe('import jobs: progress, secrets once, and undone when abandoned', () => {
  const clock = new ManualClock(Date.parse('2026-12-04T08:00:00Z'));
  let t: TestHub;
  let api: Api;
  let token = '';
  beforeAll(async () => {
    t = await startTestHub({}, { clock });
    api = apiClient(t.httpUrl);
    token = await t.login();
  });
  afterAll(async () => {
    await t?.stop();
  });

  it('runs an import as a job with progress, hands its secrets to its starter once, and they let the device in', async () => {
    const started = await api('POST', '/api/import/jobs', { token, body: importFile(1000) });
    expect(started.status, started.text).toBe(202);
    const job = started.body as Job;
    expect(started.headers.get('location')).toBe(`/api/import/jobs/${job.id}`);
    const seen = new Set<number>();
    const done = await follow(api, token, job.id, (j) => {
      seen.add(j.households.written);
      return finished(j);
    });
    expect(done.state).toBe('committed');
    expect(done.counts.households?.created).toBe(1000);
    expect(done.counts.devices?.created).toBe(3000);
    // The bar moved: the job was seen between nothing written and everything written.
    expect(
      [...seen].some((n) => n > 0 && n < 1000),
      [...seen].join(','),
    ).toBe(true);
    expect(done.secrets).toBe('available');

    // Another admin sees the job but may not take its secrets.
    const other = await userWithToken(t, api, token, { username: 'admin2', role: 'admin' });
    expect((await api('GET', `/api/import/jobs/${job.id}`, { token: other })).status).toBe(200);
    const refused = await api('GET', `/api/import/jobs/${job.id}/secrets`, { token: other });
    expect(refused.status).toBe(403);

    const secrets = await api('GET', `/api/import/jobs/${job.id}/secrets`, { token });
    expect(secrets.status).toBe(200);
    const list = (secrets.body as { secrets: Array<{ id: string; secret: string }> }).secrets;
    expect(list).toHaveLength(3000);
    const again = await api('GET', `/api/import/jobs/${job.id}/secrets`, { token });
    expect(again.status).toBe(410);
    expect(errorCode(again)).toBe('HUB_ERR_SECRETS_GONE');

    // The secret is the one the hub keeps: the call button connects with it and its SOS is acknowledged.
    const button = list.find((s) => s.id === 'btn-imp-00500');
    if (!button) throw new Error('no secret for btn-imp-00500');
    await sosAcknowledged(t.mqttUrl, button.id, button.secret);
  });

  it('refuses a second import while one runs', async () => {
    const first = await api('POST', '/api/import/jobs', { token, body: importFile(2000, 10_001) });
    expect(first.status).toBe(202);
    const second = await api('POST', '/api/import', { token, body: importFile(1, 20_001) });
    expect(second.status).toBe(409);
    expect(errorCode(second)).toBe('HUB_ERR_IMPORT_RUNNING');
    expect((await follow(api, token, (first.body as Job).id, finished)).state).toBe('committed');
  });

  it('undoes a job its admin cancels: new households gone, a changed one back as it was', async () => {
    expect((await api('POST', '/api/import', { token, body: existing })).status).toBe(200);
    const before = await householdIds(api, token);
    const started = await api('POST', '/api/import/jobs', { token, body: importFile(6000, 1) });
    const id = (started.body as Job).id;
    await follow(api, token, id, midway);
    const cancelled = await api('DELETE', `/api/import/jobs/${id}`, { token });
    expect(cancelled.status).toBe(202);
    const done = await follow(api, token, id, finished);
    expect(done.state).toBe('rolled_back');
    expect(done.reason).toBe('cancelled by the admin');
    expect(done.secrets).toBe('none');
    expect(await householdIds(api, token)).toEqual(before);
    const first = await api('GET', '/api/households/hh-imp-00001', { token });
    expect((first.body as { address: string }).address).toBe('汶上县 旧地址 1号');
    // A device the undone file created is unknown again, and so is its secret.
    expect((await api('GET', '/api/devices/btn-imp-05999', { token })).status).toBe(404);
    const late = await api('DELETE', `/api/import/jobs/${id}`, { token });
    expect(late.status).toBe(202);
  });

  it('undoes a job nobody follows any more (its lease lapses on the hub clock)', async () => {
    const before = await householdIds(api, token);
    const started = await api('POST', '/api/import/jobs', { token, body: importFile(6000, 30_001) });
    const id = (started.body as Job).id;
    await follow(api, token, id, midway);
    // The page is gone: no question for longer than the lease.
    clock.advance(LEASE_MS + 1000);
    const done = await follow(api, token, id, finished);
    expect(done.state).toBe('rolled_back');
    expect(done.reason).toContain('client is gone');
    expect(await householdIds(api, token)).toEqual(before);
  });

  it('undoes a waiting import whose client disconnects before the commit, and acknowledges SOS meanwhile', async () => {
    const before = await householdIds(api, token);
    const body = JSON.stringify(importFile(8000, 40_001));
    const url = new URL('/api/import', t.httpUrl);
    const req = httpRequest(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    req.on('error', () => undefined); // the socket is destroyed on purpose
    req.end(body);
    const list = async () => ((await api('GET', '/api/import/jobs', { token })).body as { jobs: Job[] }).jobs;
    let job: Job | undefined;
    for (let i = 0; i < 6000 && !(job && midway(job)); i++) {
      job = (await list()).find((j) => j.households.total === 8000);
      await new Promise((r) => setTimeout(r, 5));
    }
    if (!job) throw new Error('the waiting import never showed up as a job');
    const button = await t.provisionDevice({ id: 'btn-sos-during', householdId: 'hh-sos-during' });
    // The alarm path is not held up by the import in progress: the SOS is acknowledged.
    await sosAcknowledged(t.mqttUrl, 'btn-sos-during', button);
    req.destroy();
    const done = await follow(api, token, job.id, finished);
    expect(done.state).toBe('rolled_back');
    expect(done.reason).toContain('disconnected');
    expect(await householdIds(api, token)).toEqual([...before, 'hh-sos-during'].sort());
  });
});

describe('an import the hub died in the middle of', () => {
  let hub: ChildHub | null = null;
  afterAll(async () => {
    if (hub) await killHard(hub);
  });

  it('is undone when the hub starts again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-import-crash-'));
    hub = await startChildHub(dataDir);
    const url = `http://127.0.0.1:${hub.httpPort}`;
    const api = apiClient(url);
    const login = async () => {
      const answer = await api('POST', '/api/auth/login', {
        body: { username: 'admin', password: 'child-admin-password' },
      });
      return (answer.body as { token: string }).token;
    };
    let token = await login();
    expect((await api('POST', '/api/import', { token, body: existing })).status).toBe(200);
    const started = await api('POST', '/api/import/jobs', { token, body: importFile(5000, 1) });
    await follow(api, token, (started.body as Job).id, midway);
    await killHard(hub);

    hub = await startChildHub(dataDir);
    const again = apiClient(`http://127.0.0.1:${hub.httpPort}`);
    token = await (async () => {
      const answer = await again('POST', '/api/auth/login', {
        body: { username: 'admin', password: 'child-admin-password' },
      });
      return (answer.body as { token: string }).token;
    })();
    expect(await householdIds(again, token)).toEqual(['hh-imp-00001']);
    const first = await again('GET', '/api/households/hh-imp-00001', { token });
    expect((first.body as { address: string }).address).toBe('汶上县 旧地址 1号');
    expect(hub.output()).toContain('undid imports a stopped hub left half-written');
  });
});
