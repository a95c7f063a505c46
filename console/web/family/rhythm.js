// Today's rhythm beside the usual day (GET /api/households/:id/rhythm): hourly bars, today over usual,
// for movement and water. Only where the household shares its rhythm; otherwise a sentence says why.
import { fill, h } from '../common/dom.js';
import { t } from '../common/i18n.js';

/** @import { Household, RhythmAnswer } from '../api-types' */

/** "07:30" from local minutes after midnight. @param {number} min */
const hhmm = (min) =>
  `${String(Math.floor(min / 60)).padStart(2, '0')}:${String(Math.round(min % 60)).padStart(2, '0')}`;

/**
 * One chart: 24 hour columns, the usual bar behind today's.
 * @param {string} id @param {string} title @param {number[]} today @param {number[]} usual per hour 0–23
 * @param {number} hoursElapsed hours of today begun (the bars after them are not drawn)
 */
function bars(id, title, today, usual, hoursElapsed) {
  const max = Math.max(1, ...today, ...usual);
  /** @param {number} v */
  const pct = (v) => `${Math.round((v / max) * 100)}%`;
  return h(
    'figure',
    { class: 'rhythm-chart', id },
    h('figcaption', null, title),
    h(
      'div',
      { class: 'bars', role: 'img', 'aria-label': title },
      today.map((v, hour) =>
        h(
          'div',
          {
            class: 'hour',
            title: `${hour}:00 ${t('family.rhythm.today')} ${v} · ${t('family.rhythm.usual')} ${usual[hour]}`,
          },
          h('span', { class: 'usual', style: `height:${pct(usual[hour] ?? 0)}` }),
          hour < hoursElapsed ? h('span', { class: 'today', style: `height:${pct(v)}` }) : null,
        ),
      ),
    ),
    h(
      'div',
      { class: 'axis', 'aria-hidden': 'true' },
      ['0', '6', '12', '18', '24'].map((x) => h('span', null, x)),
    ),
  );
}

/** @param {HTMLElement} el @param {Household} household @param {RhythmAnswer | null} rhythm */
export function renderRhythm(el, household, rhythm) {
  if (household.sharing !== 'rhythm') {
    fill(el, h('p', { class: 'muted', id: 'rhythm-status-only' }, t('family.rhythm.statusOnly')));
    return;
  }
  if (!rhythm) {
    fill(el, h('p', { class: 'muted' }, t('common.loading')));
    return;
  }
  const { today, usual, baseline } = rhythm;
  fill(
    el,
    h(
      'p',
      { class: 'legend' },
      h('span', { class: 'key today' }),
      t('family.rhythm.today'),
      h('span', { class: 'key usual' }),
      t('family.rhythm.usual'),
    ),
    bars('rhythm-motions', t('family.rhythm.motions'), today.motions, usual.motions, today.hoursElapsed),
    bars('rhythm-water', t('family.rhythm.liters'), today.liters, usual.liters, today.hoursElapsed),
    usual.days === 0 ? h('p', { class: 'muted' }, t('family.rhythm.usualNone')) : null,
    baseline?.firstMotionMin != null
      ? h('p', { class: 'muted' }, t('family.rhythm.firstMotion', { time: hhmm(baseline.firstMotionMin) }))
      : null,
  );
}
