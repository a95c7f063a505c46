// The two times a responder on the way needs at arm's length: what is left of the on-site deadline
// (then how far past it), and how long ago the alarm came. Both read the hub's clock (Live.serverNow),
// never the phone's alone, and tick every second without redrawing the card.
import { h } from '../common/dom.js';
import { t } from '../common/i18n.js';

/** @import { Incident } from '../api-types' */

/** m:ss, or h:mm:ss past an hour. @param {number} ms */
export function duration(ms) {
  const s = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(hours > 0 ? 2 : 1, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/**
 * The clocks of one job: on-site deadline (while not yet on site) and time since the alarm.
 * @param {Incident} incident
 */
export function jobClocks(incident) {
  const onSite = incident.stages.on_site;
  const due = onSite && onSite.doneAt === null ? onSite.dueAt : null;
  return h(
    'section',
    { class: 'clocks' },
    due === null
      ? null
      : h(
          'p',
          { class: 'clock due', dataset: { due: String(due) } },
          h('span', { class: 'clock-label' }, ''),
          h('strong', { class: 'clock-value' }, ''),
        ),
    h(
      'p',
      { class: 'clock since', dataset: { since: String(incident.openedAt) } },
      h('span', { class: 'clock-label' }, t('responder.sinceAlarm')),
      h('strong', { class: 'clock-value' }, ''),
    ),
  );
}

/**
 * Sets every clock under `root` to the hub time `now` (epoch ms).
 * @param {ParentNode} root @param {number} now
 */
export function tickClocks(root, now) {
  for (const el of root.querySelectorAll('.clock')) {
    if (!(el instanceof HTMLElement)) continue;
    const label = el.querySelector('.clock-label');
    const value = el.querySelector('.clock-value');
    if (!label || !value) continue;
    if (el.dataset.due) {
      const left = Number(el.dataset.due) - now;
      el.classList.toggle('overdue', left < 0);
      label.textContent = left < 0 ? t('responder.overdueBy') : t('responder.onSiteIn');
      value.textContent = duration(Math.abs(left));
    } else if (el.dataset.since) {
      value.textContent = duration(now - Number(el.dataset.since));
    }
  }
}
