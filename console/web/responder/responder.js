// The responder page: my jobs (GET /api/incidents?active=true answers a responder only theirs), each with
// its context, live (incidentOpened/Updated/Escalated of my jobs, jobWithdrawn).
import './messages.js';
import { api, messageOf } from '../common/api.js';
import { $, fill, h } from '../common/dom.js';
import { onLangChange, t } from '../common/i18n.js';
import { Live } from '../common/live.js';
import { serialReloader } from '../common/reload.js';
import { showLiveStatus, startPage, toast } from '../common/shell.js';
import { tickClocks } from './clocks.js';
import { jobCard } from './job.js';
import { PositionSharing } from './position.js';

/** @import { Incident, IncidentContext } from '../api-types' */

const SHARE_KEY = 'hub.responder.sharePosition';

await startPage(['responder'], 'responder.title');

/** @type {Incident[]} */
let jobs = [];
/** @type {Map<string, IncidentContext | null>} incident id → context (null: not loaded) */
const contexts = new Map();
/** @type {Map<string, string>} incident id → the last position result in words */
const positionTexts = new Map();

const sharing = new PositionSharing((id, result) => {
  positionTexts.set(
    id,
    'error' in result
      ? t('responder.positionFailed', { message: result.error })
      : t('responder.positionSent', { n: result.eta }),
  );
  render();
});

const shareBox = h('input', {
  type: 'checkbox',
  id: 'share-position',
  checked: localStorage.getItem(SHARE_KEY) !== 'off',
  onchange: () => {
    localStorage.setItem(SHARE_KEY, shareBox.checked ? 'on' : 'off');
    render();
  },
});
$('#responder').prepend(
  h(
    'label',
    { class: 'share' },
    shareBox,
    h('span', { 'data-i18n': 'responder.sharePosition' }, t('responder.sharePosition')),
  ),
);

async function reload() {
  /** @type {Incident[]} */
  const list = await api('GET', '/api/incidents?active=true');
  const fresh = await Promise.all(
    list.map((i) =>
      /** @type {Promise<IncidentContext>} */ (
        api('GET', `/api/incidents/${encodeURIComponent(i.id)}/context`)
      ).catch(() => contexts.get(i.id) ?? null),
    ),
  );
  contexts.clear();
  for (const [n, i] of list.entries()) contexts.set(i.id, fresh[n] ?? null);
  jobs = list;
  render();
}

/** Reloads once at a time; events during a reload cause one more. */
const scheduleReload = serialReloader(reload, (err) =>
  toast(t('common.error', { message: err.message }), 'error'),
);

/** @param {Incident} incident @param {string} action @param {unknown} [body] */
async function act(incident, action, body) {
  try {
    await api('POST', `/api/incidents/${encodeURIComponent(incident.id)}/${action}`, body);
    if (action === 'accept') toast(t('responder.accepted'));
    if (action === 'resolve') toast(t('responder.resolved'));
  } catch (err) {
    toast(t('common.error', { message: messageOf(err) }), 'error');
  }
  scheduleReload();
}

/**
 * A field of a job's outcome form (the select and the note: job.js).
 * @param {HTMLFormElement} form @param {string} name
 */
function field(form, name) {
  const el = form.elements.namedItem(name);
  return el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement ? el : null;
}

/**
 * What the responder has typed into the outcome forms, by incident (kept across re-renders).
 * @param {HTMLElement} el
 */
function typedOutcomes(el) {
  /** @type {Map<string, { outcome: string, note: string }>} */
  const typed = new Map();
  for (const form of el.querySelectorAll('form.resolve-form')) {
    const job = form.closest('article.job');
    const id = job instanceof HTMLElement ? job.dataset.incident : undefined;
    if (!id || !(form instanceof HTMLFormElement)) continue;
    typed.set(id, { outcome: field(form, 'outcome')?.value ?? '', note: field(form, 'note')?.value ?? '' });
  }
  return typed;
}

function render() {
  const el = $('#jobs');
  // Positions only where the hub can make an ETA of them: the household has coordinates.
  const onTheWay = jobs
    .filter(
      (j) => j.state === 'dispatched' && j.responderId !== null && contexts.get(j.id)?.household?.location,
    )
    .map((j) => j.id);
  sharing.update(onTheWay, shareBox.checked);
  if (jobs.length === 0) {
    fill(el, h('p', { class: 'muted', id: 'no-jobs' }, t('responder.none')));
    return;
  }
  const typed = typedOutcomes(el);
  fill(
    el,
    jobs.map((j) =>
      jobCard(j, contexts.get(j.id) ?? null, { act, positionText: positionTexts.get(j.id) ?? '' }),
    ),
  );
  tickClocks(el, live.serverNow());
  for (const [id, values] of typed) {
    const form = el.querySelector(`article.job[data-incident="${CSS.escape(id)}"] form.resolve-form`);
    if (!(form instanceof HTMLFormElement)) continue;
    const outcome = field(form, 'outcome');
    const note = field(form, 'note');
    if (outcome) outcome.value = values.outcome;
    if (note) note.value = values.note;
  }
}

const live = new Live({
  resync: () => reload(),
  onEvent: (frame) => {
    if (frame.event === 'jobWithdrawn') toast(t('responder.withdrawn'));
    scheduleReload();
  },
  onStatus: showLiveStatus,
});
onLangChange(() => render());
live.start();
// The clocks move each second on the hub's clock; the cards are not redrawn for it.
setInterval(() => tickClocks($('#jobs'), live.serverNow()), 1000);
