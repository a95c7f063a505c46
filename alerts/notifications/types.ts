import type { Audience, IncidentSummary } from '../incidents/events.ts';

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
 * One notification channel (log, device command, webhooks; the consoles' websocket comes with a later
 * issue and registers through NotificationsRoom.addChannel). Each channel gets every notification and
 * takes the ones it serves; `notify` must not throw for a delivery failure (it records it instead).
 */
export interface Notifier {
  readonly channel: string;
  notify(n: Notification): Promise<void>;
  /** resumes work left from a previous run (pending webhook retries) */
  start?(): Promise<void>;
  /** stops timers and in-flight deliveries; what is pending stays pending */
  stop?(): Promise<void>;
}
