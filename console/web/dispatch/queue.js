// The live incident queue: one row per open incident, most urgent first. Rows are built once per change
// of their incident; the once-a-second tick only rewrites the countdown's text and level.
import { h } from '../common/dom.js';
import { formatCountdown, formatZoned, pick, t } from '../common/i18n.js';
import { byUrgency, CLOSED, level, nextDeadline } from './deadline.js';
import { label } from './labels.js';
import { stepLabel } from './steps.js';

/** @import { IncidentSummary } from '../api-types' */

/** @param {number} ms */
const openedAt = (ms) => formatZoned(ms, 'time');

export class Queue {
  /**
   * @param {HTMLElement} list the <ol> of rows
   * @param {{ onSelect: (id: string) => void, onAcknowledge: (id: string) => void, place: (householdId: string) => { address: string, grid: string } | null }} handlers
   */
  constructor(list, handlers) {
    this.list = list;
    this.handlers = handlers;
    /** @type {Map<string, IncidentSummary>} id → incident summary (REST list or live event) */
    this.incidents = new Map();
    /** @type {Map<string, { el: HTMLElement, countdown: HTMLElement, stage: HTMLElement, text: string, level: string }>} */
    this.rows = new Map();
    /** @type {Map<string, string>} id → the last escalation step shown on the row */
    this.escalated = new Map();
    /** @type {string | null} */
    this.selected = null;
    /** ms the last tick took (the benchmark reads it) */
    this.lastTickMs = 0;
  }

  /**
   * Replaces every incident (after a (re)connect): the list from GET /api/incidents?active=true.
   * @param {IncidentSummary[]} incidents @param {number} now hub clock
   */
  replaceAll(incidents, now) {
    this.incidents = new Map(incidents.filter((i) => !CLOSED.has(i.state)).map((i) => [i.id, i]));
    this.rows.clear();
    const fragment = document.createDocumentFragment();
    for (const i of this.sorted()) fragment.append(this.build(i));
    this.list.replaceChildren(fragment);
    this.tick(now);
    this.updateEmpty();
  }

  /**
   * Applies an incident from an event unless the queue already knows a newer state of it.
   * @param {IncidentSummary} incident @param {number} at the change's time @param {number} now hub clock
   * @returns {'added' | 'changed' | 'removed' | 'stale'}
   */
  apply(incident, at, now) {
    const known = this.incidents.get(incident.id);
    if (known && at < known.updatedAt) return 'stale';
    if (CLOSED.has(incident.state)) {
      if (!known) return 'stale';
      this.incidents.delete(incident.id);
      this.rows.get(incident.id)?.el.remove();
      this.rows.delete(incident.id);
      this.escalated.delete(incident.id);
      this.updateEmpty();
      return 'removed';
    }
    this.incidents.set(incident.id, incident);
    const old = this.rows.get(incident.id)?.el;
    const row = this.build(incident);
    if (old) old.replaceWith(row);
    else this.list.append(row);
    this.reorder();
    this.tickOne(incident.id, now);
    this.updateEmpty();
    return known ? 'changed' : 'added';
  }

  /**
   * Marks a row as escalated (the ladder fired a step): stays until the incident leaves the queue.
   * @param {string} id @param {string} step
   */
  markEscalated(id, step) {
    if (!this.incidents.has(id)) return;
    this.escalated.set(id, step);
    const row = this.rows.get(id);
    if (!row) return;
    row.el.dataset.escalated = step;
    const marker = row.el.querySelector('.escalated');
    if (marker instanceof HTMLElement) {
      marker.hidden = false;
      marker.title = `${t('queue.escalated')}: ${stepLabel(step)}`;
    }
  }

  /** @param {string | null} id */
  select(id) {
    this.selected = id;
    for (const [rowId, row] of this.rows) row.el.classList.toggle('selected', rowId === id);
  }

  sorted() {
    return [...this.incidents.values()].sort(byUrgency);
  }

  /** Moves rows into the urgency order, touching the DOM only when the order changed. */
  reorder() {
    const order = this.sorted().map((i) => i.id);
    const current = [...this.list.children].map((el) => el.getAttribute('data-incident-id'));
    if (order.length === current.length && order.every((id, k) => id === current[k])) return;
    const fragment = document.createDocumentFragment();
    for (const id of order) {
      const row = this.rows.get(id);
      if (row) fragment.append(row.el);
    }
    this.list.append(fragment);
  }

  /** Re-renders the countdowns from the hub's clock: text and level attributes only. @param {number} now */
  tick(now) {
    const started = performance.now();
    for (const id of this.rows.keys()) this.tickOne(id, now);
    this.lastTickMs = performance.now() - started;
  }

  /** @param {string} id @param {number} now */
  tickOne(id, now) {
    const row = this.rows.get(id);
    const incident = this.incidents.get(id);
    if (!row || !incident) return;
    const next = nextDeadline(incident);
    const text = next ? formatCountdown(next.dueAt - now) : '—';
    const lvl = next ? level(incident.openedAt, next.dueAt, now) : 'none';
    if (text !== row.text) {
      row.countdown.textContent = text;
      row.text = text;
    }
    if (lvl !== row.level) {
      row.countdown.dataset.level = lvl;
      row.el.dataset.level = lvl;
      row.level = lvl;
    }
    const stage = next ? label('stage', next.stage) : '';
    if (row.stage.textContent !== stage) row.stage.textContent = stage;
  }

  /** Re-renders every row's words (after a language switch). @param {number} now */
  relabel(now) {
    this.replaceAll([...this.incidents.values()], now);
    for (const [id, step] of this.escalated) this.markEscalated(id, step);
    this.select(this.selected);
  }

  updateEmpty() {
    this.list.dataset.count = String(this.incidents.size);
    const empty = document.getElementById('queue-empty');
    if (empty) empty.hidden = this.incidents.size > 0;
    const count = document.getElementById('queue-count');
    if (count) count.textContent = String(this.incidents.size);
  }

  /** @param {IncidentSummary} i */
  build(i) {
    const place = this.handlers.place(i.householdId);
    const countdown = h('span', { class: 'countdown', 'data-level': 'none' }, '');
    const stage = h('span', { class: 'stage muted' }, '');
    const step = this.escalated.get(i.id);
    const el = h(
      'li',
      {
        class: `row${this.selected === i.id ? ' selected' : ''}`,
        tabindex: '0',
        dataset: {
          incidentId: i.id,
          class: i.class,
          severity: i.severity,
          state: i.state,
          ...(i.residentCancelledAt ? { residentCancelled: 'true' } : {}),
          ...(step ? { escalated: step } : {}),
        },
        onclick: () => this.handlers.onSelect(i.id),
        onkeydown: (ev) => {
          if (ev.key === 'Enter') this.handlers.onSelect(i.id);
        },
      },
      h(
        'div',
        { class: 'row-main' },
        h('span', { class: 'timer' }, countdown, stage),
        h('span', { class: `badge ${i.class}` }, label('class', i.class)),
        h('strong', { class: 'type' }, label('alarm', i.alarmType)),
        h('span', { class: `severity ${i.severity}` }, label('severity', i.severity)),
        h(
          'span',
          { class: 'escalated', hidden: !step, title: t('queue.escalated') },
          '▲',
          t('queue.escalated'),
        ),
        h('span', { class: 'state' }, label('state', i.state)),
        i.residentCancelledAt
          ? h('span', { class: 'resident-cancelled' }, t('queue.residentCancelled'))
          : null,
        i.state === 'open'
          ? h(
              'button',
              {
                type: 'button',
                class: 'primary ack',
                'data-ack': i.id,
                onclick: (ev) => {
                  ev.stopPropagation();
                  this.handlers.onAcknowledge(i.id);
                },
              },
              t('action.acknowledge'),
            )
          : null,
      ),
      h(
        'div',
        { class: 'row-sub muted' },
        h('span', { class: 'address' }, place ? place.address : i.householdId),
        place ? h('span', { class: 'grid' }, place.grid) : null,
        h('span', { class: 'opened' }, openedAt(i.openedAt)),
        h('span', { class: 'explanation' }, pick(i.explanation)),
      ),
    );
    this.rows.set(i.id, { el, countdown, stage, text: '', level: '' });
    return el;
  }
}
