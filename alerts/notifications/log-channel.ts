import type { Logger } from '../../kernel/logger.ts';
import type { Notification, Notifier } from './types.ts';

/**
 * The default channel, always on: one structured log line per notification. Ids, states and audiences
 * only: no text (it may quote a care situation), no contacts' names or phone numbers.
 */
export function createLogChannel(log: Logger): Notifier {
  return {
    channel: 'log',
    async notify(n: Notification) {
      log.info(
        {
          notification: n.event,
          incidentId: n.incident.id,
          householdId: n.incident.householdId,
          alarmType: n.incident.alarmType,
          severity: n.incident.severity,
          state: n.incident.state,
          audience: n.audience,
          step: n.step,
          late: n.late,
          contactCount: n.contacts?.length,
        },
        'notification',
      );
    },
  };
}
