// One job card: what happened, where (address, grid, map links), who (residents' care notes, contacts),
// and the action the incident's state allows: accept/decline, arrived, the outcome form.
import { h } from '../common/dom.js';
import { formatClock, pick, t } from '../common/i18n.js';
import { OUTCOMES } from '../common/outcomes.js';
import { jobClocks } from './clocks.js';
/** @import { Household, Incident, IncidentContext } from '../api-types' */

/**
 * What a job card does with the responder's actions, and the last position result in words.
 * @typedef {{ act: (incident: Incident, action: string, body?: unknown) => void, positionText: string }} JobOptions
 */

/**
 * Links that open the address in a map app: Amap's marker (or search without coordinates), and geo:.
 * @param {Pick<Household, 'address' | 'location'>} household
 */
export function mapLinks(household) {
  const loc = household.location;
  const amap = loc
    ? `https://uri.amap.com/marker?position=${loc.lon},${loc.lat}&name=${encodeURIComponent(household.address)}`
    : `https://uri.amap.com/search?keyword=${encodeURIComponent(household.address)}`;
  const geo = loc ? `geo:${loc.lat},${loc.lon}` : `geo:0,0?q=${encodeURIComponent(household.address)}`;
  return { amap, geo };
}

/**
 * @param {Incident} incident @param {IncidentContext | null} context GET /api/incidents/:id/context
 * @param {JobOptions} opts
 */
export function jobCard(incident, context, opts) {
  const household = context?.household;
  const pending = incident.responderId === null && incident.pendingResponderId !== null;
  return h(
    'article',
    {
      class: 'job panel',
      dataset: { incident: incident.id, state: incident.state, pending: String(pending) },
    },
    h(
      'header',
      { class: 'job-head' },
      h('span', { class: `badge ${incident.class}` }, pick(incident.explanation) || incident.alarmType),
      h('span', { class: 'job-state' }, pending ? t('responder.pending') : t(`state.${incident.state}`)),
    ),
    incident.closedAt === null && incident.residentCancelledAt
      ? h(
          'p',
          { class: 'resident-cancelled' },
          t('responder.residentCancelled', { at: formatClock(incident.residentCancelledAt) }),
        )
      : null,
    incident.closedAt === null ? jobClocks(incident) : null,
    household ? where(household) : null,
    context ? who(context) : null,
    actions(incident, pending, opts),
  );
}

/** @param {Household} household */
function where(household) {
  const links = mapLinks(household);
  return h(
    'section',
    { class: 'where' },
    h('p', { class: 'address' }, h('strong', null, household.address)),
    h('p', { class: 'muted' }, `${t('responder.grid')}: ${household.grid}`),
    h(
      'p',
      { class: 'map-links' },
      h('a', { class: 'map amap', href: links.amap, target: '_blank', rel: 'noopener' }, t('responder.map')),
      h('a', { class: 'map geo', href: links.geo }, t('responder.geo')),
    ),
    household.notes ? h('p', { class: 'notes' }, `${t('responder.notes')}: ${household.notes}`) : null,
  );
}

/** @param {IncidentContext} context */
function who(context) {
  return h(
    'section',
    { class: 'who-section' },
    context.residents.map((r) =>
      h(
        'div',
        { class: 'resident' },
        h('strong', null, r.name),
        r.age !== null ? ` · ${t('responder.age', { n: r.age })}` : '',
        r.careNotes.length > 0
          ? h(
              'ul',
              { class: 'care-notes' },
              r.careNotes.map((n) => h('li', null, n)),
            )
          : null,
      ),
    ),
    context.contacts.length > 0
      ? h(
          'ul',
          { class: 'job-contacts' },
          context.contacts.map((c) =>
            h(
              'li',
              null,
              h('span', null, c.name, c.relation ? ` (${c.relation})` : ''),
              h('a', { class: 'call', href: `tel:${c.phone.replace(/[^\d+]/g, '')}` }, c.phone),
            ),
          ),
        )
      : null,
  );
}

/** @param {Incident} incident @param {boolean} pending assigned to me, not yet accepted @param {JobOptions} opts */
function actions(incident, pending, opts) {
  if (pending) {
    return h(
      'div',
      { class: 'job-actions' },
      h(
        'button',
        { type: 'button', class: 'primary accept', onclick: () => opts.act(incident, 'accept') },
        t('responder.accept'),
      ),
      h(
        'button',
        { type: 'button', class: 'decline', onclick: () => opts.act(incident, 'decline') },
        t('responder.decline'),
      ),
    );
  }
  if (incident.state === 'dispatched') {
    return h(
      'div',
      { class: 'job-actions' },
      h(
        'button',
        { type: 'button', class: 'primary arrive', onclick: () => opts.act(incident, 'arrive') },
        t('responder.arrive'),
      ),
      opts.positionText ? h('p', { class: 'muted position-status' }, opts.positionText) : null,
    );
  }
  if (incident.state === 'on_site') {
    return h(
      'form',
      {
        class: 'resolve-form',
        onsubmit: (ev) => {
          ev.preventDefault();
          const data = new FormData(ev.currentTarget);
          opts.act(incident, 'resolve', {
            outcome: String(data.get('outcome')),
            note: String(data.get('note') ?? ''),
          });
        },
      },
      h(
        'label',
        null,
        h('span', null, t('responder.outcome')),
        h(
          'select',
          { name: 'outcome', class: 'outcome' },
          OUTCOMES.map((o) => h('option', { value: o }, t(`outcome.${o}`))),
        ),
      ),
      h(
        'label',
        null,
        h('span', null, t('responder.note')),
        h('textarea', { name: 'note', class: 'note', rows: '3', maxlength: '2000' }),
      ),
      h('button', { type: 'submit', class: 'primary resolve' }, t('responder.resolve')),
    );
  }
  return null;
}
