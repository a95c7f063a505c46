import type { Audience, IncidentSummary } from '../incidents/events.ts';
import type { BackoffPolicy } from './backoff.ts';

/** What a notification is about: a new incident, an escalation step, or progress told to the family. */
export type NotificationEvent = 'incident_opened' | 'incident_escalated' | 'incident_progress';

/** A contact of the household, for an SMS or voice gateway (escalations to `contacts` only). */
export interface NotifiedContact {
  name: string;
  relation: string;
  phone: string;
  priority: number;
}

/** One message to tell, built from an incident event (routing.ts) and handed to every channel. */
export interface Notification {
  event: NotificationEvent;
  incident: IncidentSummary;
  /** who it is for; a channel may serve only some audiences */
  audience: Audience[];
  /** epoch ms, hub clock, of the incident event */
  at: number;
  /** the message, both languages (texts.ts) */
  text: { zh: string; en: string };
  /** escalations: the ladder step and whether it fired late (fell due while the hub was down) */
  step?: string;
  late?: boolean;
  /** escalations to `contacts`: the household's contacts, by priority. Personal data: never logged. */
  contacts?: NotifiedContact[];
}

/**
 * A channel told after commit, at most once and without a record (the log, the consoles' websocket:
 * a console that reconnects resynchronises from the REST API). Registered through
 * NotificationsRoom.addChannel; each gets every notification and takes the ones it serves; `notify`
 * must not throw for a delivery failure.
 */
export interface Notifier {
  readonly channel: string;
  notify(n: Notification): Promise<void>;
  /** resumes work left from a previous run (pending webhook retries) */
  start?(): Promise<void>;
  /** stops timers and in-flight deliveries; what is pending stays pending */
  stop?(): Promise<void>;
}

/** What one delivery attempt came to; `retry: false` when trying again cannot help (a refusal). */
export type AttemptOutcome = { ok: true } | { ok: false; error: string; retry: boolean };

/**
 * A channel whose deliveries must happen exactly once (webhooks, device commands): it plans rows in the
 * incident's transaction and attempts them after commit, through the outbox (outbox.ts).
 */
export interface OutboxChannel {
  readonly channel: string;
  /** attempts and backoff of a failed delivery */
  readonly policy: BackoffPolicy;
  /** The deliveries `n` needs: one per target, with the body every attempt sends (in the transaction). */
  plan(n: Notification): Promise<Array<{ target: string; body: string }>>;
  /** Whether `target` is still configured (a pending row of a removed webhook URL is given up). */
  accepts(target: string): boolean;
  /** One attempt; must not throw for a delivery failure. `signal` aborts it when the hub stops. */
  attempt(
    d: { id: number; target: string; body: string; attempt: number },
    signal: AbortSignal,
  ): Promise<AttemptOutcome>;
}
