// One incident's timeline in words: each entry (an audit action, a piece of evidence, a point of the
// alarm path) as one line in the page's language. A detail the page has no words for is left out, never
// printed as it is (an object would read "[object Object]").
import { fieldsOf } from '../common/api.js';
import { formatLatency, pick, t } from '../common/i18n.js';
import { label } from './labels.js';

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
    const eventWords = event ? label('event', event) : text(ev.what);
    return [t('timeline.evidence'), text(ev.deviceId), eventWords].filter(Boolean).join(' · ');
  }
  const action = e.action ?? '';
  const what = label('timeline', action);
  const detail = fieldsOf(e.detail);
  if (action === 'alarm_note') {
    const note = noteText(detail);
    return `${note || what} — ${t('timeline.system')}`;
  }
  const who =
    e.username === 'system' || (!e.username && e.userId === null) ? t('timeline.system') : (e.username ?? '');
  const responderId = text(detail.responderId);
  const outcome = text(detail.outcome);
  const extra = [
    responderId ? responderName(responderId) : '',
    outcome ? label('outcome', outcome) : '',
    text(detail.note),
    text(detail.reason),
    text(detail.text),
    text(detail.step),
  ].filter(Boolean);
  const move = e.fromState && e.toState && e.fromState !== e.toState ? ` (${label('state', e.toState)})` : '';
  return `${what}${move}${who ? ` — ${who}` : ''}${extra.length ? `: ${extra.join(' · ')}` : ''}`;
}
