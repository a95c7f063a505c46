import type { Clock } from '../../kernel/clock.ts';
import type { BackoffPolicy } from './backoff.ts';
import { DELIVERY_HEADER, SIGNATURE_HEADER, signBody, TIMESTAMP_HEADER } from './signing.ts';
import type { Notification, OutboxChannel } from './types.ts';

export interface WebhookChannelDeps {
  /** receivers (config notifyWebhookUrls): hotline platforms, SMS or voice gateways */
  urls: readonly string[];
  /** shared HMAC secret (config notifyWebhookSecret) */
  secret: string;
  policy: BackoffPolicy;
  /** ms one request may take before it counts as a failed attempt (real time: a network matter) */
  timeoutMs: number;
  clock: Clock;
}

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
 * Outbound webhooks, through the outbox (outbox.ts): every notification is POSTed as JSON to each
 * configured URL, signed (signing.ts), with the delivery's id in X-Hub-Delivery (the same on every
 * retry: a receiver tells a repeat by it), retried with exponential backoff and jitter (backoff.ts).
 */
export function createWebhookChannel(deps: WebhookChannelDeps): OutboxChannel {
  const { urls, secret, policy, timeoutMs, clock } = deps;
  return {
    channel: 'webhook',
    policy,
    async plan(n) {
      const body = payloadOf(n);
      return urls.map((target) => ({ target, body }));
    },
    accepts: (target) => urls.includes(target),
    async attempt(d, signal) {
      try {
        const res = await fetch(d.target, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [SIGNATURE_HEADER]: signBody(secret, d.body),
            [TIMESTAMP_HEADER]: String(clock.now()),
            [DELIVERY_HEADER]: String(d.id),
          },
          body: d.body,
          redirect: 'manual',
          signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
        });
        await res.arrayBuffer(); // drains the answer so the connection is reusable
        if (res.ok) return { ok: true };
        return { ok: false, error: `HTTP ${res.status}`, retry: !refused(res.status) };
      } catch (err) {
        return { ok: false, error: describe(err), retry: true };
      }
    },
  };
}
