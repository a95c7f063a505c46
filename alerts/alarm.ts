/**
 * The alarm model of the detection rules (issue 5): what the rules raise, the incident room consumes,
 * and the store keeps. One open alarm per household and alarm type; a further trigger updates it.
 */

export const ALARM_TYPES = [
  'sos',
  'fall',
  'water_leak',
  'continuous_flow',
  'abnormal_vitals',
  'bathroom_inactivity',
  'no_movement',
  'wristband_removed',
  'battery_low',
  'tamper',
  'device_silent',
  'wandering',
  'no_water_use',
  'possible_collapse',
  'excessive_water_use',
] as const;
export type AlarmType = (typeof ALARM_TYPES)[number];

/** emergency: 15-minute response; wellness: a check call; non_emergency: accepted within 1 h (design.md). */
export type AlarmClass = 'emergency' | 'wellness' | 'non_emergency';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** The higher of two severities. */
export function maxSeverity(a: Severity, b: Severity): Severity {
  return SEVERITIES.indexOf(a) >= SEVERITIES.indexOf(b) ? a : b;
}

/** One step up, capped at critical. */
export function raiseSeverity(s: Severity): Severity {
  return SEVERITIES[Math.min(SEVERITIES.indexOf(s) + 1, SEVERITIES.length - 1)] ?? 'critical';
}

/** A bilingual one-liner a dispatcher reads at a glance. */
export interface Explanation {
  zh: string;
  en: string;
}

/** What triggered (or changed) an alarm: a device message, a silence, or a timer that ran out. */
export type Evidence =
  | {
      kind: 'message';
      /** hub receive time, epoch ms */
      at: number;
      deviceId: string;
      deviceType: string;
      room: string | null;
      channel: string;
      event: string | null;
      /** the readings or event fields that mattered (e.g. heartRate, confidence, flowLpm) */
      values: Record<string, number | boolean | string>;
    }
  | {
      kind: 'silence';
      /** when the silence was noticed, epoch ms */
      at: number;
      /** the last sign of life before it, epoch ms; null when never heard */
      since: number | null;
      deviceId: string | null;
      room: string | null;
      /** what was silent: a device's heartbeat, motion anywhere, motion outside the bathroom … */
      what: string;
    };

/** Something that happened to an open alarm without closing it. */
export interface AlarmNote {
  at: number;
  kind: 'cancelled_by_resident' | 'cleared_by_device' | 'severity_raised' | 'device_heard';
  zh: string;
  en: string;
}

/** What changed in an `alarmUpdated` event. */
export type AlarmChange = 'retriggered' | AlarmNote['kind'];

export interface Alarm {
  id: string;
  householdId: string;
  residentId: string | null;
  type: AlarmType;
  class: AlarmClass;
  severity: Severity;
  status: 'open' | 'closed';
  openedAt: number;
  updatedAt: number;
  closedAt: number | null;
  closedBy: string | null;
  closeReason: string | null;
  /** triggers folded into this alarm (1 when raised) */
  count: number;
  /** newest last, at most MAX_EVIDENCE kept; `count` keeps the total */
  evidence: Evidence[];
  explanation: Explanation;
  notes: AlarmNote[];
  /** raised by a timer that fell due while the hub was down, so fired at once on start, late */
  late: boolean;
}

/** Evidence entries kept per alarm (the oldest beyond this are dropped; the first one is always kept). */
export const MAX_EVIDENCE = 20;

/** What a rule hands the alarm service. */
export interface AlarmTrigger {
  householdId: string;
  residentId: string | null;
  type: AlarmType;
  class: AlarmClass;
  severity: Severity;
  evidence: Evidence[];
  explanation: Explanation;
  late?: boolean;
}
