import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Delivery } from '../alerts/notifications/delivery-log.ts';
import { ManualClock } from '../kernel/clock.ts';
import { loadConfig } from '../kernel/config.ts';
import { until } from '../simulators/device.ts';
import { untilAsync } from './helpers/alerts.ts';
import { apiClient, userWithToken } from './helpers/api.ts';
import { startTestHub, type TestHub } from './helpers/hub.ts';
import { incident, type Receiver, startReceiver } from './helpers/notifications.ts';

const SECRET = 'webhook-shared-secret-0123';

const hmac = (body: string) => `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;

/** The webhook's delivery, through the notifications room's delivery log (the only one in these tests). */
const webhookDelivery = async (h: TestHub | null): Promise<Delivery | undefined> =>
  (await h?.hub.notifications.deliveries.list({ limit: 1, channel: 'webhook' }))?.[0];

/** The webhooks waiting in the outbox, as /metrics says (no sample: none). */
async function outboxPending(httpUrl: string): Promise<number> {
  const text = await (await fetch(`${httpUrl}/metrics`)).text();
  const line = /^hub_notifications_outbox_pending\{channel="webhook"\} (\d+)$/m.exec(text);
  return line ? Number(line[1]) : 0;
}

// The outbox's retry timers are synchronous callbacks (an attempt starts, its answer comes later over HTTP):
// the clock moves with `advance`, so an attempt started on the way cannot be answered before the next step.
describe('notifications: signed webhooks', () => {
  let t: TestHub | null = null;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await t?.stop();
    await receiver?.close();
    t = null;
    receiver = null;
  });

  const hookConfig = (url: string) => ({
    notifyWebhookUrls: url,
    notifyWebhookSecret: SECRET,
    notifyWebhookRetryBaseMs: 1000,
    notifyWebhookRetryMaxMs: 60_000,
  });

  it('POSTs each new incident as JSON signed with HMAC-SHA256 over the raw body', async () => {
    receiver = await startReceiver();
    t = await startTestHub(hookConfig(receiver.url));
    await t.hub.bus.emit('incidentOpened', { incident: incident({ id: 'inc-7' }) });
    await until(() => receiver?.received.length === 1, 3000, 'webhook received');

    const [hook] = receiver.received;
    if (!hook) throw new Error('no hook');
    expect(hook.headers['content-type']).toBe('application/json');
    expect(hook.headers['x-hub-signature-256']).toBe(hmac(hook.body));
    expect(Number(hook.headers['x-hub-timestamp'])).toBeGreaterThan(0);
    const body = JSON.parse(hook.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      event: 'incident_opened',
      audience: ['dispatchers'],
      incident: { id: 'inc-7', householdId: 'hh-test', state: 'open', alarmType: 'sos' },
    });
    expect(body.text).toEqual({ zh: expect.stringContaining('sos'), en: expect.stringContaining('sos') });
    // A tampered body no longer matches the signature.
    expect(hook.headers['x-hub-signature-256']).not.toBe(hmac(hook.body.replace('inc-7', 'inc-8')));
  });

  it('retries a failing receiver with exponential backoff on the hub clock and logs the delivery', async () => {
    receiver = await startReceiver([500, 500]);
    const clock = new ManualClock();
    t = await startTestHub(hookConfig(receiver.url), { clock });
    const row = () => webhookDelivery(t);
    const t0 = clock.now();
    await t.hub.bus.emit('incidentOpened', { incident: incident({ id: 'inc-9' }) });

    // Attempt 1 at once, fails: the 2nd is due 0.5–1 s later (base 1 s, half of it jitter).
    const failed = (attempts: number) => async () => {
      const d = await row();
      return d?.attempts === attempts && d.nextAttemptAt !== null;
    };
    await untilAsync(failed(1), 3000, 'attempt 1 failed');
    const due2 = Number((await row())?.nextAttemptAt) - t0;
    expect(due2).toBeGreaterThanOrEqual(500);
    expect(due2).toBeLessThanOrEqual(1000);
    expect(await row()).toMatchObject({ status: 'pending', lastError: 'HTTP 500' });
    // The operator sees it waiting in the outbox (/metrics), and no longer once it is delivered (below).
    expect(await outboxPending(t.httpUrl)).toBe(1);
    clock.advance(499);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(1);

    // Attempt 2 by 1 s, fails: the 3rd is due 1–2 s after it.
    clock.advance(501);
    await untilAsync(failed(2), 3000, 'attempt 2 failed');
    expect(receiver.received).toHaveLength(2);
    const due3 = Number((await row())?.nextAttemptAt) - clock.now();
    expect(due3).toBeGreaterThanOrEqual(1000);
    expect(due3).toBeLessThanOrEqual(2000);
    clock.advance(999);
    await new Promise((r) => setTimeout(r, 100));
    expect(receiver.received).toHaveLength(2);

    // Attempt 3 by 2 s later: delivered.
    clock.advance(1001);
    await untilAsync(async () => (await row())?.status === 'delivered', 3000, 'attempt 3 delivered');
    expect(receiver.received).toHaveLength(3);
    expect(await outboxPending(t.httpUrl)).toBe(0);
    expect(await row()).toMatchObject({
      attempts: 3,
      lastError: 'HTTP 500',
      nextAttemptAt: null,
      deliveredAt: clock.now(),
    });
    // Every attempt carried the same body, signed.
    const bodies = new Set(receiver.received.map((h) => h.body));
    expect(bodies.size).toBe(1);
    for (const h of receiver.received) expect(h.headers['x-hub-signature-256']).toBe(hmac(h.body));

    // The delivery log over the API: admins and supervisors, not dispatchers.
    const api = apiClient(t.httpUrl);
    const admin = await t.login();
    const listed = await api('GET', '/api/notifications/deliveries?channel=webhook', { token: admin });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      expect.objectContaining({
        channel: 'webhook',
        target: receiver.url,
        event: 'incident_opened',
        incidentId: 'inc-9',
        status: 'delivered',
        attempts: 3,
        lastError: 'HTTP 500',
        deliveredAt: clock.now(),
      }),
    ]);
    const dispatcher = await userWithToken(t, api, admin, { username: 'disp1', role: 'dispatcher' });
    const refused = await api('GET', '/api/notifications/deliveries', { token: dispatcher });
    expect(refused.status).toBe(403);
  });

  it('gives up after the configured attempts and logs the delivery as failed', async () => {
    receiver = await startReceiver([503, 503, 503]);
    const clock = new ManualClock();
    t = await startTestHub({ ...hookConfig(receiver.url), notifyWebhookMaxAttempts: 3 }, { clock });
    await t.hub.bus.emit('incidentOpened', { incident: incident() });
    const row = () => webhookDelivery(t);
    for (const attempts of [1, 2]) {
      await untilAsync(async () => (await row())?.attempts === attempts, 3000, `attempt ${attempts}`);
      clock.advance(60_000);
    }
    await untilAsync(async () => (await row())?.status === 'failed', 3000, 'given up');
    expect(await row()).toMatchObject({ attempts: 3, lastError: 'HTTP 503', nextAttemptAt: null });
    expect(receiver.received).toHaveLength(3);
  });

  it('resumes a pending retry after a restart, at once when it fell due while the hub was down', async () => {
    receiver = await startReceiver([500]);
    const dataDir = mkdtempSync(join(tmpdir(), 'hub-notify-'));
    try {
      const clock = new ManualClock();
      const first = await startTestHub(hookConfig(receiver.url), { clock, dataDir });
      await first.hub.bus.emit('incidentOpened', { incident: incident({ id: 'inc-r' }) });
      const row = webhookDelivery;
      await untilAsync(
        async () => {
          const d = await row(first);
          return d?.attempts === 1 && d.nextAttemptAt !== null;
        },
        3000,
        'attempt 1',
      );
      await first.stop();

      clock.advance(10_000); // down past the retry's time
      t = await startTestHub(hookConfig(receiver.url), { clock, dataDir });
      clock.advance(0);
      const second = t;
      await untilAsync(
        async () => (await row(second))?.status === 'delivered',
        3000,
        'delivered after restart',
      );
      expect(await row(second)).toMatchObject({ attempts: 2, deliveredAt: clock.now() });
      expect(receiver.received).toHaveLength(2);
      expect(receiver.received[1]?.body).toBe(receiver.received[0]?.body);
    } finally {
      await t?.stop();
      t = null;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses webhook URLs without a shared secret', () => {
    expect(() => loadConfig({ env: { HUB_NOTIFY_WEBHOOK_URLS: 'https://a.example/hook' } })).toThrow(
      /notifyWebhookSecret/,
    );
    expect(() => loadConfig({ env: { HUB_NOTIFY_WEBHOOK_URLS: 'not a url' } })).toThrow(/notifyWebhookUrls/);
  });
});
