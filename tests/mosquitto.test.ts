import { execFile, spawn } from 'node:child_process';
import type { Client, Subscription } from 'aedes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishContext } from '../broker/broker.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { requireTool } from './helpers/tools.ts';

/** Debian's mosquitto clients: an MQTT implementation nobody here wrote. */
let mosquittoPub: string;
let mosquittoSub: string;
let t: TestHub;
let port: string;
const handled: PublishContext[] = [];

beforeAll(async () => {
  mosquittoPub = requireTool('mosquitto_pub', 'mosquitto-clients');
  mosquittoSub = requireTool('mosquitto_sub', 'mosquitto-clients');
  t = await startTestHub();
  port = String(t.hub.broker.ports().mqtt);
  t.hub.broker.setPublishHandler(async (ctx) => {
    handled.push(ctx);
  });
});
afterAll(async () => {
  await t.stop();
});

function run(program: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const credentials = (id: string, secret: string) => [
  '-h',
  '127.0.0.1',
  '-p',
  port,
  '-i',
  id,
  '-u',
  id,
  '-P',
  secret,
];

describe('mosquitto clients against the hub', () => {
  it('mosquitto_pub publishes on its own telemetry topic and the hub accepts it', async () => {
    const secret = await t.provisionDevice({ id: 'meter-m1', type: 'water_meter' });
    const payload = '{"totalLiters":123456.7,"flowLpm":0.0}';
    const result = await run(mosquittoPub, [
      ...credentials('meter-m1', secret),
      '-q',
      '1',
      '-t',
      'eldercare/v1/meter-m1/telemetry',
      '-m',
      payload,
    ]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(handled.map((c) => [c.clientId, c.topic, c.payload.toString(), c.qos])).toContainEqual([
      'meter-m1',
      'eldercare/v1/meter-m1/telemetry',
      payload,
      1,
    ]);
  });

  it('mosquitto_pub with a wrong password is refused and nothing is kept', async () => {
    await t.provisionDevice({ id: 'meter-m2', type: 'water_meter' });
    const before = handled.length;
    const result = await run(mosquittoPub, [
      ...credentials('meter-m2', 'wrong-secret'),
      '-q',
      '1',
      '-t',
      'eldercare/v1/meter-m2/telemetry',
      '-m',
      '{}',
    ]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/bad user name or password/i);
    expect(handled.length).toBe(before);
  });

  it('mosquitto_sub on its own command topic receives what the hub publishes to the device', async () => {
    const secret = await t.provisionDevice({ id: 'btn-m3' });
    const topic = 'eldercare/v1/btn-m3/command';
    const subscribed = new Promise<void>((resolve) => {
      t.hub.broker.aedes().on('subscribe', (subs: Subscription[], client: Client) => {
        if (client.id === 'btn-m3' && subs.some((s) => s.topic === topic && s.qos === 1)) resolve();
      });
    });
    const sub = spawn(mosquittoSub, [
      ...credentials('btn-m3', secret),
      '-q',
      '1',
      '-t',
      topic,
      '-C',
      '1',
      '-W',
      '10',
    ]);
    let stdout = '';
    let stderr = '';
    sub.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    sub.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<number | null>((resolve) => sub.on('exit', resolve));
    await subscribed;

    const command = '{"type":"alarm_accepted","alarmId":"al-1"}';
    await t.hub.broker.publishToDevice(topic, command, 1);
    expect(await exited).toBe(0);
    expect({ stdout: stdout.trim(), stderr }).toEqual({ stdout: command, stderr: '' });
  });

  it('mosquitto_sub is refused a subscription to another device (SUBACK 0x80)', async () => {
    const secret = await t.provisionDevice({ id: 'btn-m4' });
    const result = await run(mosquittoSub, [
      ...credentials('btn-m4', secret),
      '-t',
      'eldercare/v1/btn-m3/command',
      '-C',
      '1',
      '-W',
      '3',
    ]);
    // mosquitto_sub reads the SUBACK's 0x80 and gives up (exit status 0 in mosquitto 2.0.11).
    expect(result.stderr).toContain('All subscription requests were denied.');
    expect(result.stdout).toBe('');
  });
});
