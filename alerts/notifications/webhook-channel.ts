import type { Clock, TimerHandle } from '../../kernel/clock.ts';
import type { Logger } from '../../kernel/logger.ts';
import { type BackoffPolicy, retryDelay } from './backoff.ts';
import type { DeliveryLog } from './delivery-log.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from './signing.ts';
import type { Notification, Notifier } from './types.ts';

export interface WebhookChannelDeps {
  /** receivers (config notifyWebhookUrls): hotline platforms, SMS or voice gateways */
  urls: readonly string[];
  /** shared HMAC secret (config notifyWebhookSecret) */
  secret: string;
  policy: BackoffPolicy;
  /** ms one request may take before it counts as a failed attempt (real time: a network matter) */
  timeoutMs: number;
  deliveries: DeliveryLog;
  clock: Clock;
  log: Logger;
  /** jitter source, [0, 1) */
  random: () => number;
}

const CHANNEL = 'webhook';

/** What a receiver gets: the notification with its incident; `contacts` only on escalations to contacts. */
function payloadOf(n: Notification): string {
  return JSON.stringify({
    event: n.event,
    at: n.at,
    audience: n.audience,
    text: n.text,
    step: n.step,
    late: n.late,
    contacts: n.contacts,
    incident: n.incident,
  });
}

/** 4xx other than timeout/too-many-requests: the receiver refuses this delivery, retrying cannot help. */
const refused = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429;

function describe(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (err as Error).message;
}

/**
 * Outbound webhooks: every notification is POSTed as JSON to each configured URL, signed
 * (signing.ts), retried with exponential backoff and jitter on the hub clock (backoff.ts) until
 * delivered or the attempts are spent, each delivery a row of the delivery log; pending retries
 * survive a restart (resumed on start, at their time or at once when it passed).
 */
export function createWebhookChannel(deps: WebhookChannelDeps): Notifier {
  const { urls, secret, policy, timeoutMs, deliveries, clock, log, random } = deps;
  const timers = new Map<number, TimerHandle>();
  const inFlight = new Set<Promise<void>>();
  const controllers = new Set<AbortController>();
  let stopped = false;

  async function attempt(id: number, url: string, body: string, attemptNo: number): Promise<void> {
    const controller = new AbortController();
    controllers.add(controller);
    let error: string;
    let retry = true;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signBody(secret, body),
          [TIMESTAMP_HEADER]: String(clock.now()),
          [DELIVERY_HEADER]: String(id),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.any([controller.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await res.arrayBuffer(); // drains the answer so the connection is reusable
      if (res.ok) {
        deliveries.delivered(id, attemptNo, clock.now());
        return;
      }
      error = `HTTP ${res.status}`;
      retry = !refused(res.status);
    } catch (err) {
      if (stopped) return; // aborted by stop: stays pending, resumed on the next start
      error = describe(err);
    } finally {
      controllers.delete(controller);
    }
    const delay = retry ? retryDelay(policy, attemptNo, random) : null;
    deliveries.attemptFailed(id, attemptNo, error, delay === null ? null : clock.now() + delay);
    if (delay === null) {
      log.warn({ deliveryId: id, url, attempts: attemptNo, error }, 'webhook delivery given up');
      return;
    }
    schedule(id, url, body, attemptNo + 1, delay);
  }

  function run(id: number, url: string, body: string, attemptNo: number): void {
    if (stopped) return;
    const p = attempt(id, url, body, attemptNo)
      .catch((err: unknown) => log.error({ err, deliveryId: id }, 'webhook attempt failed unexpectedly'))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  function schedule(id: number, url: string, body: string, attemptNo: number, delayMs: number): void {
    if (stopped) return;
    const handle = clock.setTimeout(() => {
      timers.delete(id);
      run(id, url, body, attemptNo);
    }, delayMs);
    timers.set(id, handle);
  }

  return {
    channel: CHANNEL,
    async notify(n: Notification) {
      if (urls.length === 0 || stopped) return;
      const body = payloadOf(n);
      for (const url of urls) {
        const id = deliveries.create({
          at: clock.now(),
          channel: CHANNEL,
          target: url,
          event: n.event,
          incidentId: n.incident.id,
          body,
        });
        run(id, url, body, 1);
      }
    },
    async start() {
      stopped = false;
      for (const d of deliveries.pending(CHANNEL)) {
        if (!urls.includes(d.target)) {
          deliveries.attemptFailed(d.id, d.attempts, 'webhook URL no longer configured', null);
          continue;
        }
        const due = d.nextAttemptAt ?? clock.now();
        schedule(d.id, d.target, d.body, d.attempts + 1, Math.max(0, due - clock.now()));
      }
    },
    async stop() {
      stopped = true;
      for (const handle of timers.values()) clock.clearTimeout(handle);
      timers.clear();
      for (const c of controllers) c.abort();
      await Promise.allSettled([...inFlight]);
    },
  };
}
