import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { importProvisioning } from '../kernel/provisioning/index.ts';
import type { Registry } from '../kernel/registry/index.ts';
import { fixturePath, tempRegistry } from './fixtures/provisioning/temp-registry.ts';

const importCsv = (registry: Registry, content: string | Uint8Array) =>
  importProvisioning(registry, { format: 'csv', content });
const places = (problems: Array<{ line: number; path: string }>) =>
  problems.map((p) => `${p.line} ${p.path}`);

const HEADER =
  'household_id,address,grid,lat,lon,resident_id,resident_name,birth_year,care_notes,contact_name,contact_phone,device_id,device_type,room,gateway_id,friendly_name';

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

describe('CSV provisioning import', () => {
  it('imports a spreadsheet export: byte-order mark, CRLF, columns in another order, two households, a gateway', async () => {
    const reg = registry();
    const content = readFileSync(fixturePath('households.csv'));
    expect([...content.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const report = await importCsv(reg, content);
    expect(report.problems).toEqual([]);
    expect(report.counts.households?.created).toBe(2);

    expect(await reg.households.get('hh-0201')).toMatchObject({
      address: '汶上县中都街道 幸福路 12号, 3单元 201',
      grid: 'zhongdu-07',
      location: { lat: 35.7312, lon: 116.489 },
    });
    expect(await reg.households.get('hh-0301')).toMatchObject({ grid: 'nanzhan-02', location: null });
    expect(await reg.households.residents('hh-0201')).toEqual([
      expect.objectContaining({ id: 'r-0201', birthYear: 1941, careNotes: ['diabetes', 'wandering-risk'] }),
    ]);
    // Contacts come once per phone, called in the order they first appear.
    expect((await reg.households.contacts('hh-0301')).map((c) => [c.name, c.priority])).toEqual([
      ['刘伟', 1],
      ['刘芳', 2],
    ]);
    expect((await reg.devices.list(['hh-0201'])).map((d) => d.id)).toEqual([
      'btn-0201',
      'pir-0202',
      'wb-0201',
    ]);
    expect(await reg.devices.get('wb-0201')).toMatchObject({ type: 'wristband', residentId: 'r-0201' });
    expect(await reg.devices.getGateway('gw-0301')).toMatchObject({ householdId: 'hh-0301' });
    expect(await reg.devices.byFriendlyName('gw-0301', 'bathroom_leak')).toMatchObject({
      id: 'z-leak-0301',
      type: 'leak',
    });

    expect(report.secrets.map((s) => s.id).sort()).toEqual([
      'btn-0201',
      'btn-0301',
      'gw-0301',
      'pir-0202',
      'wb-0201',
    ]);
    const gw = report.secrets.find((s) => s.id === 'gw-0301');
    expect(
      gw &&
        reg.devices.secrets.verify(
          'gw-0301',
          gw.secret,
          (await reg.devices.identity('gw-0301'))?.secretHash ?? '',
        ),
    ).toBe(true);

    const again = await importCsv(reg, content);
    expect(again.secrets).toEqual([]);
    expect(Object.values(again.counts).every((c) => c.created === 0 && c.updated === 0)).toBe(true);
    expect(again.counts.devices?.unchanged).toBe(6);
  });

  it('imports nothing from a file with bad rows and reports every one with its line and column', async () => {
    const reg = registry();
    const report = await importCsv(reg, readFileSync(fixturePath('bad.csv')));
    expect(report.ok).toBe(false);
    expect(places(report.problems)).toEqual([
      '3 address', // hh-0401's address differs from line 2
      '3 room', // "attic"
      '4 device_type', // "leek"
      '5 ', // a bad row: 13 fields under a 16-column header
      '6 address', // hh-0402 has no address
      '6 device_id', // btn-0401 again
      '6 lat', // 95° north
      '7 friendly_name', // a gateway row without the Zigbee2MQTT name
    ]);
    expect(report.problems[0]?.reason).toBe('household hh-0401 has a different address on line 2');
    expect(report.problems[3]?.reason).toBe('row has 13 fields, the header has 16');
    expect(await reg.households.list()).toEqual([]);
    expect(await reg.devices.list()).toEqual([]);
  });

  it('counts lines from where each row starts, across quoted line breaks, CRLF and blank lines', async () => {
    const reg = registry();
    const rows = [
      HEADER,
      'hh-1,"幸福路 1号\r\n3单元",g1,,,,,,,,,btn-1,button,,,',
      '',
      'hh-1,"幸福路 1号\r\n3单元",g1,,,,,,,,,pir-1,motion,cellar,,',
      ',,,,,,,,,,,,,,,',
      'hh-2,"和平街 2号",g1,,,r-2,刘玉兰,1820,,,,wb-2,wristband,,,',
    ];
    const report = await importCsv(reg, rows.join('\r\n'));
    expect(report.problems.map((p) => `${p.line} ${p.path}: ${p.reason}`)).toEqual([
      '5 room: unknown room "cellar" (one of bedroom, bathroom, kitchen, living, entrance, other)',
      expect.stringMatching(/^8 birth_year: birth year 1820 is not plausible/),
    ]);
  });

  it('refuses a header it cannot read and a file that is not UTF-8', async () => {
    const reg = registry();
    const header = await importCsv(reg, 'household_id,adress,grid,device_id\nhh-1,x,g,btn-1\n');
    expect(places(header.problems)).toEqual(['1 address', '1 adress']);
    // Stray unnamed columns after the last one are fine while they stay empty.
    const stray = await importCsv(
      reg,
      'household_id,address,grid,,\nhh-1,幸福路 1号,g1,,\nhh-2,和平街 2号,g1,,x\n',
    );
    expect(stray.problems).toEqual([{ line: 3, path: '', reason: 'a value in column 5, which has no name' }]);

    // "幸福路" in GBK, as a spreadsheet on a Chinese Windows saves it.
    const gbk = Buffer.concat([
      Buffer.from(`${HEADER}\nhh-1,`),
      Buffer.from([0xd0, 0xd2, 0xb8, 0xa3, 0xc2, 0xb7]),
    ]);
    const encoding = await importCsv(reg, gbk);
    expect(encoding.problems).toEqual([{ line: 2, path: '', reason: expect.stringMatching(/not UTF-8/) }]);
  });
});

describe('CSV: per-button SOS actions (optional column sos_actions)', () => {
  it('stores a Zigbee button’s own action list, leaves it on a re-import without the column, and refuses it elsewhere', async () => {
    const reg = registry();
    const rows = [
      `${HEADER},sos_actions`,
      'hh-s1,幸福路 3号,grid-a,,,r-s1,赵桂兰,1938,,,,z-btn-s1,button,bedroom,gw-s1,bedside_button,single; double',
      'hh-s1,幸福路 3号,grid-a,,,,,,,,,z-btn-s2,button,,gw-s1,hall_button,',
    ];
    const report = await importCsv(reg, rows.join('\n'));
    expect(report.problems).toEqual([]);
    expect(await reg.devices.get('z-btn-s1')).toMatchObject({
      sosActions: ['single', 'double'],
      residentId: 'r-s1',
    });
    expect((await reg.devices.get('z-btn-s2'))?.sosActions).toBeNull(); // the default list

    // The same households from a file of the older columns: nothing changes.
    const older = await importCsv(reg, rows.map((r) => r.slice(0, r.lastIndexOf(','))).join('\n'));
    expect(older.problems).toEqual([]);
    expect(older.counts.devices).toEqual({ created: 0, updated: 0, unchanged: 2 });
    expect((await reg.devices.get('z-btn-s1'))?.sosActions).toEqual(['single', 'double']);

    const bad = await importCsv(
      reg,
      [
        `${HEADER},sos_actions`,
        'hh-s2,幸福路 4号,grid-a,,,,,,,,,btn-s3,button,,,,single', // a button of its own: no actions
        'hh-s2,幸福路 4号,grid-a,,,,,,,,,z-pir-s3,motion,kitchen,gw-s2,kitchen_pir,single',
        'hh-s2,幸福路 4号,grid-a,,,,,,,,,z-btn-s4,button,,gw-s2,door_button,long press',
      ].join('\n'),
    );
    expect(places(bad.problems)).toEqual(['2 sos_actions', '3 sos_actions', '4 sos_actions']);
    expect(bad.problems.map((p) => p.reason)).toEqual([
      'sosActions is only for a button behind a gateway',
      'sosActions is only for a button behind a gateway',
      `SOS action "long press" is not a Zigbee2MQTT action value (letters, digits, '_', '.', ':', '-'; at most 64 characters)`,
    ]);
    expect(await reg.households.get('hh-s2')).toBeNull();
  });
});

describe('CSV columns that carry what the JSON does (provisioning.md, CSV)', () => {
  const WITH_OPTIONAL = `${HEADER},sharing,contact_relation,contact_priority,resident_language`;
  const row = (device: string, extra: string) =>
    `hh-o1,幸福路 8号,grid-a,,,r-o1,Mary Chen,1940,,陈明,+86 138 0000 0081,${device},button,,,,${extra}`;

  it('imports sharing, the contact’s relation (as typed) and priority, and the resident’s language', async () => {
    const reg = registry();
    const content = [
      WITH_OPTIONAL,
      row('btn-o1', 'rhythm,女儿,2,en'),
      row('pir-o1', 'rhythm,女儿,2,en').replace(',button,', ',motion,'),
      'hh-o1,幸福路 8号,grid-a,,,r-o1,Mary Chen,1940,,Li Wei,+86 138 0000 0082,,,,,,rhythm,neighbour,1,en',
    ].join('\n');
    const report = await importCsv(reg, content);
    expect(report.problems).toEqual([]);
    expect(await reg.households.get('hh-o1')).toMatchObject({ sharing: 'rhythm' });
    expect(await reg.households.residents('hh-o1')).toEqual([expect.objectContaining({ language: 'en' })]);
    expect((await reg.households.contacts('hh-o1')).map((c) => [c.name, c.relation, c.priority])).toEqual([
      ['Li Wei', 'neighbour', 1],
      ['陈明', '女儿', 2],
    ]);
  });

  it('takes the JSON defaults for empty cells, and reports rows that disagree or bad values with their column', async () => {
    const reg = registry();
    const defaults = await importCsv(reg, [WITH_OPTIONAL, row('btn-o2', ',,,')].join('\n'));
    expect(defaults.problems).toEqual([]);
    expect(await reg.households.get('hh-o1')).toMatchObject({ sharing: 'status' });
    expect(await reg.households.residents('hh-o1')).toEqual([expect.objectContaining({ language: 'zh' })]);

    const bad = await importCsv(
      reg,
      [
        WITH_OPTIONAL,
        row('btn-o3', 'rhythm,,1,zh'),
        row('pir-o3', 'status,,x,fr').replace(',button,', ',motion,'),
      ].join('\n'),
    );
    expect(places(bad.problems)).toEqual(
      expect.arrayContaining(['3 sharing', '3 contact_priority', '3 resident_language']),
    );
    expect(await reg.devices.get('btn-o3')).toBeNull();
  });
});
