// An alarm in progress as a tracker: received → taken by the dispatch center → responder on the way
// (with the ETA of the responder's last position) → on site → resolved. Drawn from the incident summary
// the live channel sends a family (state, openedAt, stages, closedAt) and, for the ETA and the outcome,
// the incident's detail (GET /api/incidents/:id).

import { fieldsOf } from '../common/api.js';
import { fill, h } from '../common/dom.js';
import { formatTime, t } from '../common/i18n.js';

/** @import { IncidentDetail, IncidentSummary } from '../api-types' */

/**
 * What the tracker reads of an incident (a family's live summary has no more).
 * @typedef {Pick<IncidentSummary, 'state' | 'openedAt' | 'stages' | 'closedAt'>} Tracked
 */

/** @type {Record<string, number>} */
const RANK = { open: 0, acknowledged: 1, dispatched: 2, on_site: 3, resolved: 4 };
/** @type {Array<{ key: string, label: string, at: (i: Tracked) => number | null }>} */
const STEPS = [
  { key: 'received', label: 'family.step.received', at: (i) => i.openedAt },
  { key: 'taken', label: 'family.step.taken', at: (i) => i.stages?.acknowledge?.doneAt ?? null },
  { key: 'on-the-way', label: 'family.step.onTheWay', at: (i) => i.stages?.accept?.doneAt ?? null },
  { key: 'on-site', label: 'family.step.onSite', at: (i) => i.stages?.on_site?.doneAt ?? null },
  { key: 'resolved', label: 'family.step.resolved', at: (i) => i.closedAt },
];

/**
 * The ETA (epoch ms) of the responder's newest position in the incident's timeline, or null.
 * @param {IncidentDetail | null} detail
 */
export function etaOf(detail) {
  const positions = (detail?.timeline ?? []).filter((e) => e.kind === 'audit' && e.action === 'position');
  const etaAt = fieldsOf(positions[positions.length - 1]?.detail).etaAt;
  return typeof etaAt === 'number' ? etaAt : null;
}

/**
 * How far a cancelled incident had come: the steps it reached by their times.
 * @param {Tracked} i
 */
function reachedRank(i) {
  if (i.state !== 'cancelled') return RANK[i.state] ?? 0;
  let rank = 0;
  STEPS.slice(0, 4).forEach((s, n) => {
    if (s.at(i) !== null) rank = n;
  });
  return rank;
}

/**
 * @param {HTMLElement} el the <ol>
 * @param {Tracked} incident summary (live frame or REST)
 * @param {IncidentDetail | null} detail GET /api/incidents/:id, or null
 * @param {number} now hub clock, epoch ms
 */
export function renderProgress(el, incident, detail, now) {
  const rank = reachedRank(incident);
  const cancelled = incident.state === 'cancelled';
  const steps = cancelled ? STEPS.slice(0, rank + 1) : STEPS;
  const items = steps.map((s, n) => {
    const done = n <= rank;
    const at = s.at(incident);
    const extra = [];
    if (s.key === 'on-the-way' && incident.state === 'dispatched') {
      const eta = etaOf(detail);
      if (eta !== null) {
        const min = Math.ceil((eta - now) / 60_000);
        extra.push(
          h('div', { class: 'eta', id: 'eta' }, min > 0 ? t('family.eta', { n: min }) : t('family.etaLate')),
        );
      }
    }
    if (s.key === 'resolved' && done && detail?.outcome) {
      extra.push(h('div', { class: 'outcome', id: 'outcome' }, t(`outcome.${detail.outcome}`)));
    }
    return h(
      'li',
      {
        dataset: {
          step: s.key,
          ...(done ? { done: 'true' } : {}),
          ...(n === rank ? { current: 'true' } : {}),
        },
      },
      h('span', { class: 'dot', 'aria-hidden': 'true' }),
      h(
        'div',
        { class: 'step-body' },
        h('div', null, t(s.label)),
        done && at ? h('small', { class: 'muted' }, formatTime(at)) : null,
        extra,
      ),
    );
  });
  if (cancelled) {
    items.push(
      h(
        'li',
        { dataset: { step: 'cancelled', done: 'true', current: 'true' } },
        h('span', { class: 'dot', 'aria-hidden': 'true' }),
        h(
          'div',
          { class: 'step-body' },
          h('div', null, t('family.step.cancelled')),
          h('small', { class: 'muted' }, formatTime(incident.closedAt)),
        ),
      ),
    );
  }
  fill(el, items);
}
