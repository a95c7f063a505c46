// Past incidents with their outcomes, and the away form (POST/DELETE /api/households/:id/away).
import { api, messageOf } from '../common/api.js';
import { fill, h } from '../common/dom.js';
import { formatTime, pick, t, zoneOffset } from '../common/i18n.js';
import { toast } from '../common/shell.js';
import { reasonText } from './status.js';
/** @import { AwayStatus, Incident } from '../api-types' */

/** @param {HTMLElement} el @param {Incident[]} incidents newest first */
export function renderPast(el, incidents) {
  const closed = incidents.filter((i) => i.state === 'resolved' || i.state === 'cancelled');
  if (closed.length === 0) {
    fill(el, h('li', { class: 'muted' }, t('family.history.none')));
    return;
  }
  fill(
    el,
    closed.map((i) =>
      h(
        'li',
        { dataset: { incident: i.id, state: i.state } },
        h(
          'div',
          { class: 'past-head' },
          h('span', null, pick(i.explanation)),
          h('small', { class: 'muted' }, formatTime(i.openedAt)),
        ),
        h(
          'div',
          { class: 'past-outcome' },
          t(`state.${i.state}`),
          i.outcome ? ` · ${t(`outcome.${i.outcome}`)}` : '',
        ),
      ),
    ),
  );
}

/**
 * The households' calendar day `days` after the hub's `now`, YYYY-MM-DD (the date input's format).
 * @param {number} now @param {number} days
 */
function dayAfter(now, days) {
  return new Date(now + days * 86_400_000 + zoneOffset() * 60_000).toISOString().slice(0, 10);
}

/**
 * The away form: declared periods show with an "end" button; otherwise a reason and the day of return
 * (away until the end of that day, on the households' clock).
 * @param {{ current: HTMLElement, form: HTMLFormElement }} els
 * @param {string} householdId @param {AwayStatus | null} away the status's away part @param {number} now hub clock
 * @param {() => void} changed called after a change (the page refetches)
 */
export function renderAway(els, householdId, away, now, changed) {
  const declared = away?.declared ?? null;
  els.form.hidden = declared !== null;
  const until = els.form.elements.namedItem('until');
  if (!(until instanceof HTMLInputElement)) throw new Error('missing input until');
  until.min = dayAfter(now, 0);
  until.max = dayAfter(now, 89);
  if (!until.value) until.value = dayAfter(now, 1);
  if (!declared) {
    fill(els.current);
    return;
  }
  fill(
    els.current,
    h(
      'p',
      null,
      t('family.away', { reason: reasonText(declared.reason), until: formatTime(declared.until) }),
    ),
    h(
      'button',
      {
        type: 'button',
        id: 'away-end',
        onclick: async () => {
          try {
            await api('DELETE', `/api/households/${encodeURIComponent(householdId)}/away`);
            toast(t('family.awayForm.ended'));
          } catch (err) {
            toast(t('common.error', { message: messageOf(err) }), 'error');
          }
          changed();
        },
      },
      t('family.awayForm.end'),
    ),
  );
}

/**
 * Submits the away form of the household the page shows.
 * @param {HTMLFormElement} form @param {string} householdId
 */
export async function submitAway(form, householdId) {
  const data = new FormData(form);
  // the end of that day on the households' clock, whatever the browser's zone
  const until = Date.parse(`${data.get('until')}T23:59:59Z`) - zoneOffset() * 60_000;
  await api('POST', `/api/households/${encodeURIComponent(householdId)}/away`, {
    until,
    reason: String(data.get('reason')),
  });
}
