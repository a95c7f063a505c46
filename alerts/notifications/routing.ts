import type { Audience, IncidentEvents, IncidentState } from '../incidents/events.ts';
import { contactsText, escalationText, familyEscalationText, openedText, progressText } from './texts.ts';
import type { Notification, NotifiedContact } from './types.ts';

const STAFF: readonly Audience[] = ['dispatchers', 'supervisor', 'responder'];
/** States after which nothing more is told: the incident's remembered state is dropped. */
const FINAL: readonly IncidentState[] = ['resolved', 'cancelled'];

/**
 * Turns incident events into notifications (issue 6, Notifications):
 * - incidentOpened → the dispatchers;
 * - incidentEscalated → per its audience: staff get the step, `contacts` get a message with their phone
 *   numbers (for an SMS or voice gateway), `family` gets a progress message;
 * - incidentUpdated → the family, only when the incident's state changed (acknowledged, dispatched,
 *   on site, resolved, cancelled): comments, assignments and joined alarms are not told.
 */
export class NotificationRouter {
  /** last state told per open incident (in memory: after a restart the first update is told again) */
  readonly #states = new Map<string, IncidentState>();
  readonly #contacts: (householdId: string) => Promise<NotifiedContact[]>;

  constructor(contacts: (householdId: string) => Promise<NotifiedContact[]>) {
    this.#contacts = contacts;
  }

  opened({ incident }: IncidentEvents['incidentOpened']): Notification[] {
    this.#states.set(incident.id, incident.state);
    return [
      {
        event: 'incident_opened',
        incident,
        audience: ['dispatchers'],
        at: incident.openedAt,
        text: openedText(incident),
      },
    ];
  }

  /** A progress notification when the state changed since the last event of this incident, else none. */
  updated({ incident, at }: IncidentEvents['incidentUpdated']): Notification[] {
    const previous = this.#states.get(incident.id);
    if (FINAL.includes(incident.state)) this.#states.delete(incident.id);
    else this.#states.set(incident.id, incident.state);
    if (previous === incident.state) return [];
    const text = progressText(incident.state);
    if (!text) return [];
    return [{ event: 'incident_progress', incident, audience: ['family'], at, text }];
  }

  async escalated({
    incident,
    step,
    audience,
    late,
    at,
  }: IncidentEvents['incidentEscalated']): Promise<Notification[]> {
    const base = { event: 'incident_escalated' as const, incident, at, step, late };
    const out: Notification[] = [];
    const staff = audience.filter((a) => STAFF.includes(a));
    if (staff.length > 0) out.push({ ...base, audience: staff, text: escalationText(incident, step) });
    if (audience.includes('contacts')) {
      const contacts = await this.#contacts(incident.householdId);
      out.push({ ...base, audience: ['contacts'], text: contactsText(incident), contacts });
    }
    if (audience.includes('family')) {
      out.push({ ...base, audience: ['family'], text: familyEscalationText() });
    }
    return out;
  }
}
