// The incident view (right side): who and where, contacts, the alarm's explanation and evidence, devices,
// the last 24 h as charts, the timeline; and the actions the incident's state allows.
import { api, messageOf } from '../common/api.js';
import { fill, h } from '../common/dom.js';
import { formatAgo, formatCoordinates, formatCountdown, formatTime, pick, t } from '../common/i18n.js';
import { toast } from '../common/shell.js';
import { drawCharts } from './charts.js';
import { CLOSED, level, nextDeadline } from './deadline.js';
import { describeEvidence } from './evidence.js';
import { label, OUTCOMES } from './labels.js';
import { timelineLine } from './timeline.js';

/**
 * @import { ActivityAnswer, IncidentContext, IncidentDetail, Suggestion, TimelineEntry, VitalsAnswer, WaterAnswer } from '../api-types'
 */

/**
 * An action's POST, with the button that started it (disabled while it runs).
 * @typedef {(action: string, body: unknown, button?: HTMLButtonElement) => Promise<void>} Post
 */

const DAY_MS = 86_400_000;

export class IncidentView {
  /**
   * @param {HTMLElement} root
   * @param {{ now: () => number, acknowledge: (id: string) => Promise<void> }} deps
   */
  constructor(root, deps) {
    this.root = root;
    this.deps = deps;
    /** @type {string | null} the incident shown */
    this.id = null;
    /** @type {IncidentDetail | null} */
    this.detail = null;
    /** @type {IncidentContext | null} */
    this.context = null;
    /** @type {Suggestion[]} */
    this.suggestions = [];
    /** @type {Map<string, Suggestion>} responder id → as last suggested (their name in the view) */
    this.responders = new Map();
    /**
     * the charts' data and range: drawn once per incident (not on every update)
     * @type {{ data: { activity: ActivityAnswer, water: WaterAnswer, vitals: VitalsAnswer }, from: number, to: number } | null}
     */
    this.history = null;
    /** @type {ReturnType<typeof setTimeout> | undefined} */
    this.refreshTimer = undefined;
    /** the charts are wanted by a reload (the first of an incident) */
    this.historyWanted = false;
    /** reloads started: only the last one draws */
    this.generation = 0;
    /** @type {Map<string, string>} what the dispatcher has typed, by incident and field: a redraw (any live event) must not lose it */
    this.drafts = new Map();
    this.showEmpty();
  }

  showEmpty() {
    fill(this.root, h('p', { class: 'placeholder muted', id: 'incident-empty' }, t('view.pick')));
  }

  /**
   * Opens an incident: loads its detail, context and (for the dispatch center) suggestions and history.
   * @param {string} id
   */
  async show(id) {
    this.id = id;
    this.detail = null;
    this.context = null;
    this.history = null;
    this.historyWanted = false;
    fill(this.root, h('p', { class: 'placeholder muted' }, t('common.loading')));
    await this.reload({ history: true });
  }

  /** An event changed this incident: reload soon (several events of one action arrive together). */
  changed() {
    if (!this.id) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.reload({}), 150);
  }

  /** @param {{ history?: boolean }} opts the charts too (the first load of an incident) */
  async reload({ history = false }) {
    const id = this.id;
    if (!id) return;
    // Reloads overlap (an action's own, an event's): only the last one started may draw, so a slower
    // answer from before a change cannot overwrite the view after it.
    this.generation += 1;
    const generation = this.generation;
    // a superseded reload hands its charts on to the one that draws
    if (history) this.historyWanted = true;
    const enc = encodeURIComponent(id);
    try {
      const [detail, context] = await Promise.all([
        /** @type {Promise<IncidentDetail>} */ (api('GET', `/api/incidents/${enc}`)),
        /** @type {Promise<IncidentContext>} */ (api('GET', `/api/incidents/${enc}/context`)),
      ]);
      /** @type {Suggestion[]} */
      const suggestions =
        detail.state === 'acknowledged' ? await api('GET', `/api/incidents/${enc}/suggestions`) : [];
      if (this.id !== id || this.generation !== generation) return;
      this.detail = detail;
      this.context = context;
      this.suggestions = suggestions;
      for (const s of suggestions) this.responders.set(s.responderId, s);
      this.render();
      if (this.historyWanted) {
        this.historyWanted = false;
        await this.loadHistory(detail);
      }
    } catch (err) {
      if (this.id !== id || this.generation !== generation) return;
      fill(this.root, h('p', { class: 'placeholder error' }, t('common.error', { message: messageOf(err) })));
    }
  }

  /** @param {IncidentDetail} detail */
  async loadHistory(detail) {
    const to = this.deps.now();
    const from = to - DAY_MS;
    const base = `/api/households/${encodeURIComponent(detail.householdId)}/history`;
    const q = `?from=${Math.floor(from)}&to=${Math.floor(to)}`;
    // a household without a store for one of them (or a role without vitals): that chart is empty
    const range = { source: /** @type {const} */ ('local'), from, to, rows: [] };
    const [activity, water, vitals] = await Promise.all([
      /** @type {Promise<ActivityAnswer>} */ (api('GET', `${base}/activity${q}`)).catch(() => range),
      /** @type {Promise<WaterAnswer>} */ (api('GET', `${base}/water${q}`)).catch(() => range),
      /** @type {Promise<VitalsAnswer>} */ (api('GET', `${base}/vitals${q}`)).catch(() => range),
    ]);
    if (this.id !== detail.id) return;
    this.history = { data: { activity, water, vitals }, from, to };
    this.drawHistory();
  }

  drawHistory() {
    const box = this.root.querySelector('#charts');
    if (!(box instanceof HTMLElement) || !this.history) return;
    drawCharts(box, this.history.data, this.history.from, this.history.to);
  }

  /** Countdown in the header: called by the page's tick. @param {number} now */
  tick(now) {
    const el = this.root.querySelector('#incident-countdown');
    if (!el || !this.detail) return;
    const next = nextDeadline(this.detail);
    const text = next ? formatCountdown(next.dueAt - now) : '—';
    if (el.textContent !== text) el.textContent = text;
    const lvl = next ? level(this.detail.openedAt, next.dueAt, now) : 'none';
    if (el.getAttribute('data-level') !== lvl) el.setAttribute('data-level', lvl);
  }

  render() {
    const d = this.detail;
    const c = this.context;
    if (!d || !c) return;
    const next = nextDeadline(d);
    fill(
      this.root,
      h(
        'div',
        { class: 'view-head', 'data-viewing': d.id, 'data-state': d.state },
        h('span', { class: `badge ${d.class}` }, label('class', d.class)),
        h('h2', {}, label('alarm', d.alarmType)),
        h('span', { class: `severity ${d.severity}` }, label('severity', d.severity)),
        h(
          'span',
          { class: 'state-pill', id: 'incident-state', 'data-state': d.state },
          label('state', d.state),
        ),
        d.residentCancelledAt && !CLOSED.has(d.state)
          ? h('span', { class: 'resident-cancelled', id: 'resident-cancelled' }, t('queue.residentCancelled'))
          : null,
        next
          ? h(
              'span',
              { class: 'next-deadline' },
              h('span', { class: 'muted' }, label('stage', next.stage)),
              ' ',
              h('span', { class: 'countdown', id: 'incident-countdown', 'data-level': 'none' }, ''),
            )
          : null,
        h('span', { class: 'muted opened' }, t('view.opened', { when: formatTime(d.openedAt) })),
      ),
      h('p', { class: 'explanation', id: 'incident-explanation' }, pick(d.explanation)),
      this.actions(d),
      h(
        'div',
        { class: 'view-grid' },
        h(
          'div',
          { class: 'view-col' },
          this.residentPanel(c),
          this.contactsPanel(c),
          this.evidencePanel(d),
          this.devicesPanel(c),
        ),
        h(
          'div',
          { class: 'view-col' },
          h(
            'section',
            { class: 'panel' },
            h('h3', {}, t('view.last24h')),
            h('div', { id: 'charts', class: 'charts' }, h('p', { class: 'muted' }, t('common.loading'))),
          ),
          this.timelinePanel(d),
        ),
      ),
    );
    this.tick(this.deps.now());
    if (this.history) this.drawHistory();
  }

  /**
   * Keeps a field's text across redraws of the incident `id`; returns the element.
   * @template {HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement} E
   * @param {string} id @param {string} field @param {E} el
   * @returns {E}
   */
  kept(id, field, el) {
    const key = `${id}\u0000${field}`;
    const draft = this.drafts.get(key);
    if (draft !== undefined) el.value = draft;
    const remember = () => this.drafts.set(key, el.value);
    el.addEventListener('input', remember);
    el.addEventListener('change', remember);
    return el;
  }

  /**
   * The actions the state allows; each posts, then the view reloads from the answer's events.
   * @param {IncidentDetail} d
   */
  actions(d) {
    const enc = encodeURIComponent(d.id);
    /** @type {Post} */
    const post = async (action, body, button) => {
      if (button) button.disabled = true;
      try {
        await api('POST', `/api/incidents/${enc}/${action}`, body);
        // what was typed for this incident is done with once an action went through
        for (const key of [...this.drafts.keys()])
          if (key.startsWith(`${d.id}\u0000`)) this.drafts.delete(key);
        toast(t(`done.${action}`));
        await this.reload({});
      } catch (err) {
        toast(t('common.error', { message: messageOf(err) }), 'error');
        if (button) button.disabled = false;
      }
    };
    const box = h('section', { class: 'panel actions', id: 'actions' });
    if (d.state === 'open') {
      box.append(
        h(
          'button',
          {
            type: 'button',
            class: 'primary big',
            id: 'ack',
            onclick: async (ev) => {
              ev.currentTarget.disabled = true;
              await this.deps.acknowledge(d.id);
            },
          },
          t('action.acknowledge'),
        ),
      );
    }
    if (d.state === 'acknowledged') {
      if (d.pendingResponderId) {
        box.append(
          h(
            'p',
            { id: 'pending', class: 'pending' },
            t('view.pending', { name: this.responderName(d.pendingResponderId) }),
          ),
        );
      }
      box.append(this.suggestionsTable(d, post));
    }
    if (d.state === 'dispatched') {
      box.append(
        h('p', { id: 'accepted' }, t('view.accepted', { name: this.responderName(d.responderId) })),
        h(
          'button',
          {
            type: 'button',
            class: 'primary',
            id: 'arrive',
            onclick: (ev) => post('arrive', undefined, ev.currentTarget),
          },
          t('action.arrive'),
        ),
      );
    }
    if (d.state === 'on_site') {
      const outcome = this.kept(
        d.id,
        'outcome',
        h(
          'select',
          { id: 'outcome', 'aria-label': t('view.outcome') },
          OUTCOMES.map((o) => h('option', { value: o }, label('outcome', o))),
        ),
      );
      const note = this.kept(
        d.id,
        'note',
        h('textarea', { id: 'resolve-note', rows: '2', placeholder: t('view.note') }),
      );
      box.append(
        h('p', {}, t('view.onSite', { name: this.responderName(d.responderId) })),
        h(
          'div',
          { class: 'form-row' },
          outcome,
          note,
          h(
            'button',
            {
              type: 'button',
              class: 'primary',
              id: 'resolve',
              onclick: (ev) =>
                post('resolve', { outcome: outcome.value, note: note.value }, ev.currentTarget),
            },
            t('action.resolve'),
          ),
        ),
      );
    }
    if (['open', 'acknowledged', 'dispatched'].includes(d.state)) {
      const reason = this.kept(
        d.id,
        'reason',
        h('input', { id: 'cancel-reason', placeholder: t('view.cancelReason') }),
      );
      box.append(
        h(
          'div',
          { class: 'form-row cancel-row' },
          reason,
          h(
            'button',
            {
              type: 'button',
              class: 'danger',
              id: 'cancel',
              onclick: (ev) => {
                const text = reason.value.trim();
                if (!text) {
                  toast(t('view.cancelNeedsReason'), 'error');
                  reason.focus();
                  return;
                }
                void post('cancel', { reason: text }, ev.currentTarget);
              },
            },
            t('action.cancel'),
          ),
        ),
      );
    }
    const comment = this.kept(
      d.id,
      'comment',
      h('input', { id: 'comment-text', placeholder: t('view.comment') }),
    );
    box.append(
      h(
        'div',
        { class: 'form-row' },
        comment,
        h(
          'button',
          {
            type: 'button',
            id: 'comment',
            onclick: (ev) => {
              const text = comment.value.trim();
              if (text) void post('comment', { text }, ev.currentTarget);
            },
          },
          t('action.comment'),
        ),
      ),
    );
    return box;
  }

  /** @param {string | null} id */
  responderName(id) {
    if (!id) return '—';
    return this.responders.get(id)?.name ?? id;
  }

  /** @param {IncidentDetail} d @param {Post} post */
  suggestionsTable(d, post) {
    if (this.suggestions.length === 0)
      return h('p', { class: 'muted', id: 'no-suggestions' }, t('view.noSuggestions'));
    return h(
      'table',
      { class: 'suggestions', id: 'suggestions' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['view.responder', 'view.kind', 'view.phone', 'view.distance', 'view.eta', ''].map((k) =>
            h('th', {}, k ? t(k) : ''),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        this.suggestions.map((s) =>
          h(
            'tr',
            { 'data-responder-id': s.responderId },
            h('td', {}, s.name),
            h('td', {}, label('kind', s.kind)),
            h('td', {}, h('a', { href: `tel:${s.phone}` }, s.phone)),
            h('td', {}, s.distanceM === null ? '—' : `${(s.distanceM / 1000).toFixed(1)} km`),
            h('td', {}, s.etaMinutes === null ? '—' : t('common.minutes', { n: s.etaMinutes })),
            h(
              'td',
              {},
              h(
                'button',
                {
                  type: 'button',
                  class: d.pendingResponderId === s.responderId ? '' : 'primary',
                  id: `assign-${s.responderId}`,
                  disabled: d.pendingResponderId === s.responderId,
                  onclick: (ev) => post('assign', { responderId: s.responderId }, ev.currentTarget),
                },
                t('action.assign'),
              ),
            ),
          ),
        ),
      ),
    );
  }

  /** @param {IncidentContext} c */
  residentPanel(c) {
    const hh = c.household;
    return h(
      'section',
      { class: 'panel', id: 'resident' },
      h('h3', {}, t('view.resident')),
      c.residents.length === 0 ? h('p', { class: 'muted' }, t('common.none')) : null,
      c.residents.map((r) =>
        h(
          'div',
          { class: 'resident' },
          h('strong', { class: 'name' }, r.name),
          r.age === null ? null : h('span', { class: 'age' }, t('view.age', { n: r.age })),
          r.careNotes.length
            ? h(
                'ul',
                { class: 'care-notes' },
                r.careNotes.map((n) => h('li', {}, n)),
              )
            : null,
        ),
      ),
      h('p', { class: 'address', id: 'address' }, hh.address),
      h(
        'p',
        { class: 'muted' },
        t('view.grid', { grid: hh.grid }),
        hh.location ? ` · ${formatCoordinates(hh.location.lat, hh.location.lon)}` : '',
      ),
      hh.notes ? h('p', { class: 'notes' }, hh.notes) : null,
      c.lastMovementAt
        ? h(
            'p',
            { class: 'muted' },
            t('view.lastMovement', { when: formatAgo(c.lastMovementAt, this.deps.now()) }),
          )
        : null,
    );
  }

  /** @param {IncidentContext} c */
  contactsPanel(c) {
    return h(
      'section',
      { class: 'panel', id: 'contacts' },
      h('h3', {}, t('view.contacts')),
      c.contacts.length === 0
        ? h('p', { class: 'muted' }, t('common.none'))
        : h(
            'ol',
            { class: 'contacts' },
            c.contacts.map((k) =>
              h(
                'li',
                {},
                h('strong', {}, k.name),
                k.relation ? h('span', { class: 'muted' }, ` (${k.relation}) `) : ' ',
                h('a', { href: `tel:${k.phone}`, class: 'phone' }, k.phone),
              ),
            ),
          ),
    );
  }

  /** @param {IncidentDetail} d */
  evidencePanel(d) {
    return h(
      'section',
      { class: 'panel', id: 'evidence' },
      h('h3', {}, t('view.evidence', { n: d.alarmCount })),
      h(
        'ul',
        { class: 'evidence' },
        (d.evidence ?? []).map((e) => h('li', {}, describeEvidence(e))),
      ),
    );
  }

  /** @param {IncidentContext} c */
  devicesPanel(c) {
    const now = this.deps.now();
    return h(
      'section',
      { class: 'panel', id: 'devices' },
      h('h3', {}, t('view.devices')),
      h(
        'table',
        { class: 'devices' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            ['view.device', 'view.connection', 'view.battery', 'view.lastSeen'].map((k) => h('th', {}, t(k))),
          ),
        ),
        h(
          'tbody',
          {},
          c.devices.map((dev) =>
            h(
              'tr',
              { 'data-device-id': dev.id, 'data-connection': dev.connection },
              h(
                'td',
                {},
                label('device', dev.type),
                dev.room ? ` · ${label('room', dev.room)}` : '',
                h('div', { class: 'muted small' }, dev.id),
              ),
              h(
                'td',
                {},
                h('span', { class: `conn ${dev.connection}` }, label('conn', dev.connection)),
                dev.issues.length
                  ? h('div', { class: 'issues' }, dev.issues.map((i) => label('issue', i)).join(', '))
                  : null,
              ),
              h('td', {}, dev.battery === null ? '—' : `${dev.battery}%`),
              h('td', {}, formatAgo(dev.lastSeenAt, now)),
            ),
          ),
        ),
      ),
    );
  }

  /** @param {IncidentDetail} d */
  timelinePanel(d) {
    return h(
      'section',
      { class: 'panel', id: 'timeline-panel' },
      h('h3', {}, t('view.timeline')),
      h(
        'ol',
        { class: 'timeline', id: 'timeline' },
        [...d.timeline].reverse().map((e) =>
          h(
            'li',
            { 'data-kind': e.kind, 'data-action': e.action ?? '', 'data-point': e.point ?? '' },
            h('time', {}, formatTime(e.at)),
            ' ',
            h(
              'span',
              {},
              timelineLine(e, (id) => this.responderName(id)),
            ),
          ),
        ),
      ),
    );
  }
}
