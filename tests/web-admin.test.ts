import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimButton } from '../simulators/device-types.ts';
import { SimGateway } from '../simulators/gateway.ts';
import { importFile } from '../simulators/household/import-file.ts';
import { AQARA_LEAK, COORDINATOR, listed } from './fixtures/zigbee2mqtt.ts';
import { launchBrowser, loginAs, newPage, screenshot } from './helpers/browser.ts';
import { ADMIN_PASSWORD, startTestHub, type TestHub } from './helpers/hub.ts';

describe('administrator console', { timeout: 60_000 }, () => {
  let browser: Browser;
  let t: TestHub | null = null;
  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await t?.stop();
    t = null;
  });

  it('creates a household, a contact and a device whose secret is shown once and works; deletes; lists grids', async () => {
    t = await startTestHub();
    await t.hub.registry.households.upsert({ id: 'hh-seed', address: '和平街 5号', grid: 'grid-west' });
    const { page, context, errors } = await newPage(browser);
    page.setDefaultTimeout(8000);
    page.on('dialog', (d) => d.accept()); // the delete confirmation
    await loginAs(page, t.httpUrl, 'admin', ADMIN_PASSWORD);
    expect(new URL(page.url()).pathname).toBe('/admin/');
    await page.waitForSelector('#households-table tr[data-id="hh-seed"]');

    await page.fill('#f-id', 'hh-new');
    await page.fill('#f-address', '幸福路 12号 3单元 201室');
    await page.fill('#f-grid', 'grid-east');
    await page.fill('#f-lat', '35.7312');
    await page.fill('#f-lon', '116.489');
    await page.click('#save');
    await page.waitForSelector('#households-table tr[data-id="hh-new"]');
    expect(await t.hub.registry.households.get('hh-new')).toMatchObject({
      grid: 'grid-east',
      location: { lat: 35.7312, lon: 116.489 },
    });
    await screenshot(page, 'admin-households');

    // A contact of the new household (picked in the household selector).
    await page.click('#tab-contacts');
    await page.selectOption('#household-picker', 'hh-new');
    await page.waitForSelector('#contacts-form');
    await page.fill('#f-name', '李明');
    await page.fill('#f-relation', '儿子');
    await page.fill('#f-phone', '13800000001');
    await page.click('#save');
    await page.waitForSelector('#contacts-table td:text("13800000001")');

    // A device: its secret in a dialog that says it is shown once; the secret connects to the broker.
    await page.click('#tab-devices');
    await page.waitForSelector('#devices-form');
    await page.fill('#f-id', 'btn-new');
    await page.selectOption('#f-householdId', 'hh-new');
    await page.selectOption('#f-type', 'button');
    await page.click('#save');
    await page.waitForSelector('#secret-dialog[open]');
    const secret = (await page.textContent('#secret-value')) ?? '';
    expect(secret.length).toBeGreaterThan(10);
    expect(await page.textContent('#secret-dialog .warn')).toContain('只显示这一次');
    await screenshot(page, 'admin-device-secret');
    const button = await new SimButton({ url: t.mqttUrl, id: 'btn-new', secret }).connect();
    await button.end();
    await page.click('#secret-close');
    await page.waitForSelector('#secret-dialog', { state: 'hidden' });
    await page.waitForSelector('#devices-table tr[data-id="btn-new"]');
    expect(await page.content()).not.toContain(secret); // not kept anywhere on the page

    // Grids: the distinct grids of households (and responders).
    await page.click('#tab-grids');
    await page.waitForSelector('#grids-table tr[data-grid="grid-east"]');
    expect(await page.locator('#grids-table tbody tr').count()).toBe(2);

    // Delete the device.
    await page.click('#tab-devices');
    await page.click('#devices-table [data-delete="btn-new"]');
    await page.waitForSelector('#devices-table tr[data-id="btn-new"]', { state: 'detached' });
    expect(await t.hub.registry.devices.get('btn-new')).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });

  it('imports a provisioning file, and shows the per-line report of a bad one (nothing imported)', async () => {
    t = await startTestHub();
    const { page, context, errors } = await newPage(browser);
    page.setDefaultTimeout(8000);
    await loginAs(page, t.httpUrl, 'admin', ADMIN_PASSWORD);
    await page.click('#tab-import');
    await page.waitForSelector('#import-text');
    const csv = [
      'household_id,address,grid,resident_id,resident_name,contact_name,contact_phone,device_id,device_type,room',
      'hh-i1,幸福路 1号,grid-a,r-i1,张秀英,李明,13800000001,btn-i1,button,',
      'hh-i1,幸福路 1号,grid-a,r-i1,张秀英,李明,13800000001,pir-i1,motion,attic',
    ].join('\n');
    // Pasted with the format left at JSON: the page tells a CSV from its content.
    expect(await page.inputValue('#import-format')).toBe('json');
    await page.fill('#import-text', csv);
    expect(await page.inputValue('#import-format')).toBe('csv');
    await page.click('#import-run');
    await page.waitForSelector('#import-problems');
    expect(await page.textContent('#import-problems tr[data-line="3"]')).toContain('room');
    expect(await t.hub.registry.households.get('hh-i1')).toBeNull();
    await screenshot(page, 'admin-import-problems');
    // The report survives a language switch (the tab is drawn again, in English).
    await page.click('#lang-switch');
    await page.waitForSelector('#import-problems >> text=Import refused');
    expect(await page.textContent('#import-problems tr[data-line="3"]')).toContain('room');
    await page.click('#lang-switch');
    await page.waitForSelector('#import-problems >> text=导入被拒绝');

    await page.fill('#import-text', csv.replace(',attic', ',bedroom'));
    await page.click('#import-run');
    await page.waitForSelector('#import-ok');
    expect(await page.locator('#import-secrets tr').count()).toBe(2); // the two devices' secrets, once
    expect(await t.hub.registry.devices.get('pir-i1')).toMatchObject({ room: 'bedroom' });
    expect(errors).toEqual([]);
    await context.close();
  });
  it('follows a large import with a progress bar, can cancel one (nothing imported), and shows the secrets once', async () => {
    t = await startTestHub();
    const { page, context, errors } = await newPage(browser);
    page.setDefaultTimeout(30_000);
    await loginAs(page, t.httpUrl, 'admin', ADMIN_PASSWORD);
    await page.click('#tab-import');
    // 11 MB, picked as a file: sent as it is, not copied into the text box; big enough that its writing
    // (seconds) is still under way when the cancel arrives.
    const file = {
      name: 'county.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(importFile(20_000))),
    };
    await page.setInputFiles('#import-file', file);
    await page.click('#import-run');
    // Some households written: the bar has moved.
    await expect
      .poll(async () => Number(await page.getAttribute('#import-progress', 'value')), {
        timeout: 30_000,
        interval: 20,
      })
      .toBeGreaterThan(0);
    await screenshot(page, 'admin-import-progress');
    await page.click('#import-cancel');
    await page.waitForSelector('#import-undone');
    expect(await page.textContent('#import-undone')).toContain('cancelled by the admin');
    expect(await t.hub.registry.households.list()).toEqual([]);

    await page.setInputFiles('#import-file', {
      ...file,
      buffer: Buffer.from(JSON.stringify(importFile(1500))),
    });
    await page.click('#import-run');
    await page.waitForSelector('#import-progress');
    await page.waitForSelector('#import-ok');
    expect(await page.locator('#import-secrets tr').count()).toBe(4500);
    expect(await t.hub.registry.households.list()).toHaveLength(1500);
    expect(errors).toEqual([]);
    await context.close();
  });
  it("edits a Zigbee button's SOS actions in the device form, and empties them back to the default", async () => {
    t = await startTestHub();
    await t.provisionGateway({ id: 'gw-w1', householdId: 'hh-w1' });
    await t.hub.registry.devices.upsert({
      id: 'z-btn-w1',
      householdId: 'hh-w1',
      type: 'button',
      gatewayId: 'gw-w1',
      friendlyName: 'bedside_button',
    });
    const { page, context, errors } = await newPage(browser);
    page.setDefaultTimeout(8000);
    await loginAs(page, t.httpUrl, 'admin', ADMIN_PASSWORD);
    await page.click('#tab-devices');
    await page.click('#devices-table [data-edit="z-btn-w1"]');
    await page.waitForSelector('#f-sosActions');
    expect(await page.inputValue('#f-sosActions')).toBe('');
    await page.fill('#f-sosActions', 'double， hold');
    await page.click('#save');
    await page.waitForSelector('#devices-table tr[data-id="z-btn-w1"] td:text("double, hold")');
    expect((await t.hub.registry.devices.get('z-btn-w1'))?.sosActions).toEqual(['double', 'hold']);
    await screenshot(page, 'admin-device-sos-actions');

    await page.click('#devices-table [data-edit="z-btn-w1"]');
    expect(await page.inputValue('#f-sosActions')).toBe('double, hold');
    await page.fill('#f-sosActions', '');
    await page.click('#save');
    await page.waitForSelector('#devices-table tr[data-id="z-btn-w1"] td:text("double, hold")', {
      state: 'detached',
    });
    expect((await t.hub.registry.devices.get('z-btn-w1'))?.sosActions).toBeNull();
    expect(errors).toEqual([]);
    await context.close();
  });
  it('pairs a Zigbee device the gateway announced: one row, type suggested, provisioned in one step', async () => {
    t = await startTestHub();
    const secret = await t.provisionGateway({ id: 'gw-pw', householdId: 'hh-pw' });
    await t.hub.registry.households.upsertResident({ id: 'r-pw', householdId: 'hh-pw', name: '陈玉珍' });
    const gw = await new SimGateway({ url: t.mqttUrl, id: 'gw-pw', secret }).connect();
    const ieee = '0x00158d0001a2b3c4';
    await gw.bridgeDevices([COORDINATOR, listed(ieee, 'bathroom_leak', AQARA_LEAK)]);
    await gw.device('bathroom_leak', { water_leak: false, battery: 97 }); // not provisioned yet: quarantined

    const { page, context, errors } = await newPage(browser);
    page.setDefaultTimeout(8000);
    await loginAs(page, t.httpUrl, 'admin', ADMIN_PASSWORD);
    await page.click('#tab-zigbee');
    const row = `#zigbee-table tr[data-ieee="${ieee}"]`;
    await page.waitForSelector(row);
    expect(await page.textContent(row)).toContain('Aqara SJCGQ11LM');
    expect(await page.inputValue(`${row} select[name="type"]`)).toBe('leak'); // from its water_leak feature
    await page.fill(`${row} input[name="id"]`, 'z-leak-pw');
    await page.selectOption(`${row} select[name="room"]`, 'bathroom');
    await page.selectOption(`${row} select[name="resident"]`, 'r-pw');
    await screenshot(page, 'admin-zigbee-pairing');
    await page.click(`${row} [data-provision="${ieee}"]`);
    await page.waitForSelector('#zigbee-none');
    expect(await t.hub.registry.devices.get('z-leak-pw')).toMatchObject({
      type: 'leak',
      room: 'bathroom',
      residentId: 'r-pw',
      gatewayId: 'gw-pw',
      friendlyName: 'bathroom_leak',
    });
    expect((await t.hub.ingest.store.listQuarantine({ deviceId: 'gw-pw', limit: 5 }))[0]).toMatchObject({
      code: 'unknown_device',
      resolution: 'provisioned as z-leak-pw',
    });
    await gw.device('bathroom_leak', { water_leak: true });
    expect(await t.hub.ingest.queries.messageCount({ deviceId: 'z-leak-pw' })).toBe(1);
    await page.click('#tab-devices');
    await page.waitForSelector('#devices-table tr[data-id="z-leak-pw"]');
    expect(errors).toEqual([]);
    await gw.end();
    await context.close();
  });
});
