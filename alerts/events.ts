import type { Alarm, AlarmChange } from './alarm.ts';
import type { AwaySource } from './away.ts';
import type { IncidentEvents } from './incidents/events.ts';

/** The alerts room's events on the bus: alarms, away-suppression and (incidents/events.ts) incidents. */
declare module '../kernel/bus.ts' {
  interface HubEvents extends IncidentEvents {
    /** A detection rule raised a new alarm (alerts/alarm.ts); persisted before this is emitted. */
    alarmRaised: { alarm: Alarm };
    /** An open alarm changed: a further trigger, cancelled by the resident, cleared by the device, raised severity. */
    alarmUpdated: { alarm: Alarm; change: AlarmChange };
    /** An alarm was closed, by a person or by the system when its cause went away. */
    alarmCleared: { alarm: Alarm; by: string; reason: string };
    /**
     * The inactivity and water-use rules of a household are suppressed from now: marked away by a person
     * (`declared`, until a known end) or its wristband is outside the home geofence (`wristband`, no end).
     */
    awayStarted: {
      householdId: string;
      source: AwaySource;
      at: number;
      until: number | null;
      reason: string;
      by: string;
    };
    /** One source of a household's suppression ended: expired, cancelled by a person, or back home. */
    awayEnded: {
      householdId: string;
      source: AwaySource;
      at: number;
      why: 'expired' | 'cancelled' | 'returned';
      by: string;
    };
  }
}
