import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { importProvisioning } from '../kernel/provisioning/index.ts';
import { scanJsonLines } from '../kernel/provisioning/json-lines.ts';
import type { Registry } from '../kernel/registry/index.ts';
import { generateSecret, hashSecret, verifySecret } from '../kernel/secrets.ts';
import { fixturePath, tempRegistry } from './fixtures/provisioning/temp-registry.ts';

const example = () => readFileSync(fixturePath('example.json'), 'utf8');
const importJson = (registry: Registry, content: string | Uint8Array) =>
  importProvisioning(registry, { format: 'json', content });
const places = (problems: Array<{ line: number; path: string }>) =>
  problems.map((p) => `${p.line} ${p.path}`);

let cleanup: Array<() => void> = [];
afterEach(() => {
  for (const fn of cleanup) fn();
  cleanup = [];
});
function registry(): Registry {
  const t = tempRegistry();
  cleanup.push(t.close);
  return t.registry;
}

/** Device and gateway secrets are kept as keyed hashes (kernel/device-secrets.ts). */
async function secretVerifies(reg: Registry, id: string, secret: string | undefined): Promise<boolean> {
  const identity = await reg.devices.identity(id);
  return (
    identity !== null && secret !== undefined && reg.devices.secrets.verify(id, secret, identity.secretHash)
  );
}

describe('JSON provisioning import', () => {
  it('imports the example of provisioning.md: households, residents, contacts, devices, gateways, responders, users', async () => {
    const reg = registry();
    const report = await importJson(reg, example());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.counts.households).toEqual({ created: 1, updated: 0, unchanged: 0 });
    expect(report.counts.devices).toEqual({ created: 7, updated: 0, unchanged: 0 });

    expect(await reg.households.get('hh-0001')).toMatchObject({
      address: '汶上县中都街道 幸福路 12号 3单元 201',
      grid: 'zhongdu-07',
      location: { lat: 35.7312, lon: 116.489 },
      sharing: 'status',
    });
    expect(await reg.households.residents('hh-0001')).toEqual([
      expect.objectContaining({
        id: 'r-0001',
        name: '张秀英',
        birthYear: 1941,
        careNotes: ['diabetes', 'wandering-risk'],
      }),
    ]);
    expect(await reg.households.contacts('hh-0001')).toEqual([
      expect.objectContaining({ name: '李明', relation: 'son', phone: '+86 138 0000 0001', priority: 1 }),
    ]);
    expect(await reg.devices.get('wb-0001')).toMatchObject({
      type: 'wristband',
      residentId: 'r-0001',
      gatewayId: null,
    });
    expect(await reg.devices.get('pir-0002')).toMatchObject({ type: 'motion', room: 'bathroom' });
    expect(await reg.devices.byFriendlyName('gw-0001', 'kitchen_motion')).toMatchObject({
      id: 'z-pir-0003',
      room: 'kitchen',
    });
    expect(await reg.people.getResponder('resp-01')).toMatchObject({
      kind: 'grid_worker',
      grids: ['zhongdu-07'],
    });
    expect(await reg.people.userByName('li.ming')).toMatchObject({ role: 'family', households: ['hh-0001'] });

    // Secrets for what connects itself: six devices and the gateway; none for the Zigbee device.
    const secrets = new Map(report.secrets.map((s) => [s.id, s.secret]));
    expect([...secrets.keys()].sort()).toEqual(
      ['btn-0001', 'gw-0001', 'leak-0001', 'pir-0001', 'pir-0002', 'wb-0001', 'wm-0001'].sort(),
    );
    expect(await secretVerifies(reg, 'btn-0001', secrets.get('btn-0001'))).toBe(true);
    expect(await secretVerifies(reg, 'gw-0001', secrets.get('gw-0001'))).toBe(true);
    expect(await secretVerifies(reg, 'btn-0001', secrets.get('wb-0001'))).toBe(false);
    expect(await reg.devices.identity('z-pir-0003')).toBeNull();
    const dispatcher = await reg.people.userByName('dispatch1');
    expect(dispatcher && (await verifySecret('dispatch-pass-2026', dispatcher.passwordHash))).toBe(true);
  });

  it('changes nothing when the same file is imported again: no new secrets, stored hashes kept', async () => {
    const reg = registry();
    const first = await importJson(reg, example());
    const hashes = async () => [
      (await reg.devices.identity('btn-0001'))?.secretHash,
      (await reg.devices.identity('gw-0001'))?.secretHash,
      (await reg.people.userByName('dispatch1'))?.passwordHash,
    ];
    const before = await hashes();
    const again = await importJson(reg, example());
    expect(again.ok).toBe(true);
    expect(again.secrets).toEqual([]);
    for (const [what, c] of Object.entries(again.counts)) {
      expect({ what, created: c.created, updated: c.updated }).toEqual({ what, created: 0, updated: 0 });
    }
    expect(again.counts.devices?.unchanged).toBe(7);
    expect(again.counts.users?.unchanged).toBe(2);
    expect(await hashes()).toEqual(before);
    const btn = first.secrets.find((s) => s.id === 'btn-0001')?.secret;
    expect(await secretVerifies(reg, 'btn-0001', btn)).toBe(true);
  });

  it('updates what changed, keeps existing secrets, and generates passwords only for new users without one', async () => {
    const reg = registry();
    await importJson(reg, example());
    const btnHash = (await reg.devices.identity('btn-0001'))?.secretHash;
    const changed = JSON.parse(example());
    changed.households[0].devices[0].room = 'entrance';
    changed.users[0].password = 'a-new-dispatch-password';
    changed.users.push({ username: 'super1', role: 'supervisor' });
    const report = await importJson(reg, JSON.stringify(changed));
    expect(report.ok).toBe(true);
    expect(report.counts.devices).toEqual({ created: 0, updated: 1, unchanged: 6 });
    expect(report.counts.users).toEqual({ created: 1, updated: 1, unchanged: 1 });
    expect((await reg.devices.get('btn-0001'))?.room).toBe('entrance');
    expect((await reg.devices.identity('btn-0001'))?.secretHash).toBe(btnHash);

    expect(report.secrets.map((s) => s.id)).toEqual(['super1']);
    const generated = report.secrets[0]?.secret ?? '';
    const super1 = await reg.people.userByName('super1');
    expect(super1 && (await verifySecret(generated, super1.passwordHash))).toBe(true);
    const dispatcher = await reg.people.userByName('dispatch1');
    expect(dispatcher && (await verifySecret('a-new-dispatch-password', dispatcher.passwordHash))).toBe(true);
  });

  it('imports nothing from a file with bad rows and reports every one with its line', async () => {
    const reg = registry();
    const report = await importJson(reg, readFileSync(fixturePath('bad.json')));
    expect(report.ok).toBe(false);
    expect(report.secrets).toEqual([]);
    expect(places(report.problems)).toEqual([
      '3 households[0].address', // missing address: the household starts on line 3 (no line of its own)
      '8 households[0].devices[0].type', // unknown type "buton"
      '9 households[0].devices[1].room', // room "garage"
      '10 households[0].devices[2].id', // btn-0101 twice
      '11 households[0].devices[3].resident', // r-9999 is not a resident of hh-0101
      '18 households[1].sharing', // "everything", on line 18 (the household starts on 14)
      '24 households[1].gateways[0].devices[1].friendlyName', // "hall" twice on gw-0102
      '34 responders[0].kind', // "firefighter", on line 34 (the responder starts on line 31)
      '40 users[0].households', // hh-9999 exists nowhere
      '41 users[1].password', // "…" is not a password
    ]);
    expect(report.problems[3]?.reason).toMatch(/duplicate id "btn-0101".*line 8/);
    // Nothing was written, not even the good parts.
    expect(await reg.households.list()).toEqual([]);
    expect(await reg.devices.list()).toEqual([]);
    expect(await reg.people.listResponders()).toEqual([]);
  });

  it('refuses ids that clash with the hub: another household, the other kind of MQTT client, reserved', async () => {
    const reg = registry();
    const secretHash = await hashSecret(generateSecret());
    await reg.households.upsert({ id: 'hh-other', address: '其他 1号', grid: 'g1' });
    await reg.devices.upsert({ id: 'btn-taken', householdId: 'hh-other', type: 'button' }, secretHash);
    await reg.devices.upsertGateway({ id: 'gw-taken', householdId: 'hh-other' }, secretHash);
    await reg.households.upsert({ id: 'hh-mine', address: '幸福路 30号', grid: 'g1' });
    await reg.devices.upsert({ id: 'btn-mine', householdId: 'hh-mine', type: 'button' }, secretHash);
    const doc = {
      households: [
        {
          id: 'hh-mine',
          address: '幸福路 30号',
          grid: 'g1',
          devices: [
            { id: 'btn-taken', type: 'button' },
            { id: 'gw-taken', type: 'leak' },
            { id: 'gw', type: 'leak' },
          ],
          gateways: [
            { id: 'btn-taken', devices: [] },
            { id: 'gw-mine', devices: [{ friendlyName: 'button', id: 'btn-mine', type: 'button' }] },
          ],
        },
      ],
      users: [
        { username: 'fam', role: 'family', households: ['hh-other', 'hh-mine'], password: 'family-password' },
      ],
    };
    const report = await importJson(reg, JSON.stringify(doc, null, 2));
    expect(report.problems.map((p) => [p.path, p.reason])).toEqual([
      ['households[0].devices[0].id', 'device btn-taken already belongs to household hh-other'],
      ['households[0].devices[1].id', 'id gw-taken is already taken by a gateway in the hub'],
      ['households[0].devices[2].id', expect.stringMatching(/"gw" is reserved/)],
      [
        'households[0].gateways[0].id',
        expect.stringMatching(/duplicate id "btn-taken": used also as the id of a device/),
      ],
      [
        'households[0].gateways[1].devices[0].id',
        expect.stringMatching(/btn-mine connects with its own secret/),
      ],
    ]);
    expect(await reg.devices.getGateway('gw-mine')).toBeNull();
    expect(await reg.people.userByName('fam')).toBeNull();
  });

  it('writes nothing when the registry changes while secrets are being hashed', async () => {
    const reg = registry();
    const consoleHash = await hashSecret('console-made');
    const pending = importJson(reg, example());
    // Its checks answer at once (microtasks); by the next turn of the event loop it is hashing (scrypt).
    await new Promise((r) => setImmediate(r));
    await reg.households.upsert({ id: 'hh-0001', address: '幸福路 12号', grid: 'zhongdu-07' });
    await reg.devices.upsert({ id: 'btn-0001', householdId: 'hh-0001', type: 'button' }, consoleHash);
    const report = await pending;
    expect(report.ok).toBe(false);
    expect(report.problems[0]?.reason).toMatch(/registry changed/);
    expect(report.secrets).toEqual([]);
    expect((await reg.devices.list()).map((d) => d.id)).toEqual(['btn-0001']);
    expect(
      await verifySecret('console-made', (await reg.devices.identity('btn-0001'))?.secretHash ?? ''),
    ).toBe(true);
  });

  it('reports a JSON syntax error with its line, wrong types and unknown fields; accepts a byte-order mark', async () => {
    const reg = registry();
    const broken = await importJson(
      reg,
      '{\n  "households": [\n    { "id": "hh-1" "address": "x" }\n  ]\n}\n',
    );
    expect(broken.problems).toEqual([
      { line: 3, path: '', reason: expect.stringMatching(/^not valid JSON/) },
    ]);

    const typed = await importJson(
      reg,
      '{"households": [\n{"id": "hh-1", "address": "幸福路 1号", "grid": 7, "colour": "red",\n "location": {"lat": "35", "lon": 116}}]}',
    );
    expect(typed.problems.map((p) => `${p.line} ${p.path}: ${p.reason}`)).toEqual([
      '2 households[0].colour: unknown field (allowed: id, address, grid, location, sharing, notes, residents, contacts, devices, gateways)',
      '2 households[0].grid: must be a string',
      '3 households[0].location.lat: must be a number',
    ]);

    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from(example())]);
    expect((await importJson(reg, withBom)).ok).toBe(true);
  });
});

describe('JSON line scanner', () => {
  it('maps paths to the line where their object starts, through nesting and odd keys', () => {
    const lines = scanJsonLines(
      '{\n "a": [\n  {"x": 1},\n  {\n   "y": "[{,}]",\n   "odd key": {"z": true}\n  }\n ]\n}',
    );
    expect(lines.objectLine('')).toBe(1);
    expect(lines.objectLine('a[0]')).toBe(3);
    expect(lines.objectLine('a[1]')).toBe(4);
    expect(lines.objectLine('a[1].y')).toBe(4);
    expect(lines.objectLine('a[1]["odd key"]')).toBe(6);
    expect(lines.objectLine('a[1]["odd key"].z')).toBe(6);
  });

  it('gives a key named __proto__ its own line, like every unknown field (not the object prototype)', async () => {
    const report = await importJson(registry(), '{\n "__proto__": null,\n "id": "0"\n}');
    expect(report.problems.map((p) => `${p.line} ${p.path}`)).toEqual(['2 __proto__', '3 id']);
  });
});

describe('JSON: per-button SOS actions (optional sosActions)', () => {
  it('stores a Zigbee button’s own action list, and reports a bad one with its line', async () => {
    const reg = registry();
    const doc = (sosActions: unknown) =>
      JSON.stringify(
        {
          households: [
            {
              id: 'hh-j1',
              address: '幸福路 5号',
              grid: 'grid-a',
              gateways: [
                {
                  id: 'gw-j1',
                  devices: [{ friendlyName: 'bedside', id: 'z-btn-j1', type: 'button', sosActions }],
                },
              ],
            },
          ],
        },
        null,
        2,
      );
    const bad = await importJson(reg, doc(['single', 'single']));
    expect(bad.problems).toEqual([
      {
        // the line of the sosActions key (the device's object starts on line 11)
        line: 15,
        path: 'households[0].gateways[0].devices[0].sosActions',
        reason: 'SOS action "single" is listed twice',
      },
    ]);
    expect(places((await importJson(reg, doc([]))).problems)).toEqual([
      '15 households[0].gateways[0].devices[0].sosActions',
    ]);
    expect(places((await importJson(reg, doc('single'))).problems)).toEqual([
      '15 households[0].gateways[0].devices[0].sosActions',
    ]);
    expect(await reg.devices.get('z-btn-j1')).toBeNull();

    const ok = await importJson(reg, doc(['hold', 'button_1_single']));
    expect(ok.problems).toEqual([]);
    expect(await reg.devices.get('z-btn-j1')).toMatchObject({
      gatewayId: 'gw-j1',
      friendlyName: 'bedside',
      sosActions: ['hold', 'button_1_single'],
    });
    expect((await importJson(reg, doc(['hold', 'button_1_single']))).counts.devices).toEqual({
      created: 0,
      updated: 0,
      unchanged: 1,
    });
  });
});
