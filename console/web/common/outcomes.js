// How an incident ended: alerts/incidents/model.ts OUTCOMES (the API refuses any other), and their words
// for families and responders (the dispatch console words them its own way, in dispatch/labels.js).
import { addMessages } from './i18n.js';

export const OUTCOMES = [
  'assisted_at_home',
  'sent_to_hospital',
  'false_alarm',
  'device_fault',
  'resident_not_home',
  'other',
];

addMessages({
  zh: {
    'outcome.assisted_at_home': '已在家中协助',
    'outcome.sent_to_hospital': '已送医院',
    'outcome.false_alarm': '误报',
    'outcome.device_fault': '设备故障',
    'outcome.resident_not_home': '老人不在家',
    'outcome.other': '其他',
  },
  en: {
    'outcome.assisted_at_home': 'helped at home',
    'outcome.sent_to_hospital': 'taken to hospital',
    'outcome.false_alarm': 'false alarm',
    'outcome.device_fault': 'device fault',
    'outcome.resident_not_home': 'resident not at home',
    'outcome.other': 'other',
  },
});
