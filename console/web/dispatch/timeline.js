// One incident's timeline in words: each entry (an audit action, a piece of evidence, a point of the
// alarm path) as one line in the page's language. A detail the page has no words for is left out, never
// printed as it is (an object would read "[object Object]").
import { fieldsOf } from '../common/api.js';
import { formatCoordinates, formatLatency, pick, t } from '../common/i18n.js';
import { whatWords } from './evidence.js';
import { label } from './labels.js';
import { stepLabel } from './steps.js';

/** @import { TimelineEntry } from '../api-types' */

/** @param {unknown} value */
const text = (value) => (typeof value === 'string' ? value : '');

/**
 * A bilingual text ({zh, en}) in the page's language, '' for anything else.
 * @param {unknown} value
 */
function bilingual(value) {
  const f = fieldsOf(value);
  return typeof f.zh === 'string' || typeof f.en === 'string' ? pick({ zh: text(f.zh), en: text(f.en) }) : '';
}

/** What an alarm note says: the cancel of a resident, a device that cleared, a raised severity. @param {Record<string, unknown>} detail */
function noteText(detail) {
  const change = text(detail.change);
  const said = bilingual(detail.note);
  const key = `timeline.note.${change}`;
  const what = t(key) === key ? '' : t(key);
  return what && said ? t('timeline.said', { what, said }) : what || said;
}

/**
 * Who acted, as people know them: "赵敏（调度员）", "Zhao Min (Dispatcher)"; the hub for the system.
 * @param {TimelineEntry} e an audit entry
 */
function whoActed(e) {
  if (e.userId === null || e.userId === undefined) {
    // a family's timeline names the role only; the system has none
    return e.actorRole ? label('role', e.actorRole) : t('timeline.system');
  }
  const name = e.actorName ?? e.username ?? '';
  return e.actorRole ? t('timeline.actor', { name, role: label('role', e.actorRole) }) : name;
}

/**
 * The line of one entry (without its time).
 * @param {TimelineEntry} e
 * @param {(responderId: string) => string} responderName
 */
export function timelineLine(e, responderName) {
  if (e.kind === 'path') {
    // a point of the alarm path, with the time the hop to it took
    const took = typeof e.sincePreviousMs === 'number' ? ` +${formatLatency(e.sincePreviousMs)}` : '';
    return `${t('timeline.path')} · ${label('point', e.point)}${took}`;
  }
  if (e.kind === 'evidence') {
    const ev = fieldsOf(e.evidence);
    const event = text(ev.event);
    const eventWords = event ? label('event', event) : whatWords(text(ev.what));
    return [t('timeline.evidence'), text(ev.deviceId), eventWords].filter(Boolean).join(' · ');
  }
  const action = e.action ?? '';
  const what = label('timeline', action);
  const detail = fieldsOf(e.detail);
  if (action === 'alarm_note') {
    const note = noteText(detail);
    return `${note || what} — ${whoActed(e)}`;
  }
  const who = whoActed(e);
  const responderId = text(detail.responderId);
  const outcome = text(detail.outcome);
  const step = text(detail.step);
  const extra = [
    // a position is the responder's own: named as who acted
    responderId && action !== 'position' ? (e.responderName ?? responderName(responderId)) : '',
    outcome ? label('outcome', outcome) : '',
    step ? stepLabel(step) : '',
    ...(action === 'position' ? positionWords(detail) : []),
    text(detail.note),
    text(detail.reason),
    text(detail.text),
  ].filter(Boolean);
  // the action names its state change ("Acknowledged"): the state is not said again after it
  const said = extra.length ? t('timeline.extra', { extra: extra.join(' · ') }) : '';
  return `${what}${who ? ` — ${who}` : ''}${said}`;
}

/**
 * A responder's position: where (to 5 decimals, about a metre), how far from the home, the ETA.
 * @param {Record<string, unknown>} detail
 */
function positionWords(detail) {
  const { lat, lon, distanceM, etaMinutes } = detail;
  return [
    typeof lat === 'number' && typeof lon === 'number' ? formatCoordinates(lat, lon) : '',
    typeof distanceM === 'number' ? t('timeline.distance', { km: (distanceM / 1000).toFixed(1) }) : '',
    typeof etaMinutes === 'number' ? t('timeline.eta', { n: etaMinutes }) : '',
  ];
}
