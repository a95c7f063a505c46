// An alarm's evidence in words: a device message (its event and the readings that mattered) or a silence
// (what went quiet, since when). The rules describe a silence in English (alerts/rules); the page says the
// known ones in its language and a new one as the rule wrote it.
import { fieldsOf } from '../common/api.js';
import { addMessages, formatTime, t } from '../common/i18n.js';
import { label } from './labels.js';

addMessages({
  zh: {
    'what.heartbeat': '心跳',
    'what.motion anywhere in the home': '家中任何活动',
    'what.motion outside the bathroom': '卫生间以外的活动',
    'what.water use': '用水',
    'what.wristband worn': '佩戴手环',
    'what.flowBelow': '低于 {n} 升/分钟的读数',
    'evidence.silence': '自 {since} 起没有{what}',
    'evidence.silenceNever': '从未有{what}',
    'value.heartRate': '心率',
    'value.spo2': '血氧',
    'value.confidence': '置信度',
    'value.flowLpm': '流量（升/分钟）',
    'value.minutes': '分钟',
    'value.battery': '电量',
    'value.batteryLow': '电量低',
    'value.tamper': '被拆动',
    'value.seconds': '秒',
    'value.distanceM': '距离（米）',
    'value.lat': '纬度',
    'value.lon': '经度',
    'value.accuracy': '精度（米）',
    'value.true': '是',
    'value.false': '否',
  },
  en: {
    'what.heartbeat': 'heartbeat',
    'what.motion anywhere in the home': 'movement anywhere in the home',
    'what.motion outside the bathroom': 'movement outside the bathroom',
    'what.water use': 'water use',
    'what.wristband worn': 'wristband worn',
    'what.flowBelow': 'reading below {n} L/min',
    'evidence.silence': 'no {what} since {since}',
    'evidence.silenceNever': 'no {what} ever',
    'value.heartRate': 'heart rate',
    'value.spo2': 'SpO₂',
    'value.confidence': 'confidence',
    'value.flowLpm': 'flow (L/min)',
    'value.minutes': 'minutes',
    'value.battery': 'battery',
    'value.batteryLow': 'battery low',
    'value.tamper': 'tamper',
    'value.seconds': 'seconds',
    'value.distanceM': 'distance (m)',
    'value.lat': 'latitude',
    'value.lon': 'longitude',
    'value.accuracy': 'accuracy (m)',
    'value.true': 'yes',
    'value.false': 'no',
  },
});

/** A silence's `what` in words: the rules' known phrases, else as written. @param {string} what */
export function whatWords(what) {
  const flow = /^no reading below ([\d.]+) L\/min$/.exec(what);
  if (flow) return t('what.flowBelow', { n: flow[1] ?? '' });
  return label('what', what);
}

/**
 * One piece of evidence: "09:00:00 · btn-1 · SOS pressed", "09:30:00 · no movement anywhere since 06:12".
 * @param {unknown} item an alarm's evidence (alerts/alarm.ts Evidence; `unknown` in the API)
 */
export function describeEvidence(item) {
  const e = fieldsOf(item);
  const parts = [formatTime(typeof e.at === 'number' ? e.at : null)];
  if (typeof e.deviceId === 'string' && e.deviceId) parts.push(e.deviceId);
  if (typeof e.room === 'string' && e.room) parts.push(label('room', e.room));
  if (typeof e.event === 'string' && e.event) parts.push(label('event', e.event));
  if (e.kind === 'silence' && typeof e.what === 'string') {
    const what = whatWords(e.what);
    parts.push(
      typeof e.since === 'number'
        ? t('evidence.silence', { what, since: formatTime(e.since) })
        : t('evidence.silenceNever', { what }),
    );
  }
  for (const [k, v] of Object.entries(fieldsOf(e.values))) {
    const value = typeof v === 'boolean' ? t(`value.${v}`) : String(v);
    parts.push(`${label('value', k)} ${value}`);
  }
  return parts.join(' · ');
}
