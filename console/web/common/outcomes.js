/** How an incident ended: alerts/incidents/model.ts OUTCOMES (the API refuses any other). */
export const OUTCOMES = [
  'assisted_at_home',
  'sent_to_hospital',
  'false_alarm',
  'device_fault',
  'resident_not_home',
  'other',
];
