// The dispatcher's page: the live queue on the left, the incident view on the right. State comes from the
// REST API on every (re)connect of the live channel and from its events in between.
import { api, messageOf } from '../common/api.js';
import { $, h } from '../common/dom.js';
import { applyI18n, onLangChange, t } from '../common/i18n.js';
import { Live } from '../common/live.js';
import { showLiveStatus, startPage, toast } from '../common/shell.js';
import './labels.js';
import './messages.js';
import { IncidentView } from './incident-view.js';
import { Queue } from './queue.js';
import { SeenReports } from './seen.js';
import { Sound } from './sound.js';

/** @import { Household, Incident } from '../api-types' */

await startPage(['dispatcher', 'supervisor', 'admin'], 'dispatch.title');

/** @type {Map<string, { address: string, grid: string }>} household id → where */
const places = new Map();
const sound = new Sound();
const seen = new SeenReports();
/** @type {Live} */
let live;
const now = () => live.serverNow();

async function loadPlaces() {
  /** @type {Household[]} */
  const households = await api('GET', '/api/households');
  for (const hh of households) places.set(hh.id, { address: hh.address, grid: hh.grid });
}

/**
 * A household that appeared after the last load (a new incident's): fetched once, then the row redrawn.
 * @param {string} householdId
 */
async function placeOf(householdId) {
  if (places.has(householdId)) return;
  places.set(householdId, { address: householdId, grid: '' });
  try {
    /** @type {Household} */
    const hh = await api('GET', `/api/households/${encodeURIComponent(householdId)}`);
    places.set(householdId, { address: hh.address, grid: hh.grid });
    for (const i of queue.incidents.values())
      if (i.householdId === householdId) queue.apply(i, i.updatedAt, now());
  } catch {
    // the row keeps the household id
  }
}

/** @param {string} id */
async function acknowledge(id) {
  select(id);
  try {
    await api('POST', `/api/incidents/${encodeURIComponent(id)}/acknowledge`);
    toast(t('done.acknowledge'));
  } catch (err) {
    toast(t('common.error', { message: messageOf(err) }), 'error');
  }
  await view.reload({});
}

/** @param {string} id */
function select(id) {
  queue.select(id);
  if (view.id !== id) void view.show(id);
}

const queue = new Queue($('#queue'), {
  onSelect: select,
  onAcknowledge: acknowledge,
  place: (householdId) => places.get(householdId) ?? null,
});
const view = new IncidentView($('#incident'), { now: () => now(), acknowledge });

live = new Live({
  async resync() {
    const [incidents] = await Promise.all([
      /** @type {Promise<Incident[]>} */ (api('GET', '/api/incidents?active=true&limit=1000')),
      loadPlaces(),
    ]);
    queue.replaceAll(incidents, now());
    seen.afterPaint(queue.incidents.keys());
    // the escalation mark survives a reload: the list says each incident's last step
    for (const i of incidents) if (i.lastEscalation) queue.markEscalated(i.id, i.lastEscalation.step);
    queue.select(view.id);
    if (view.id) view.changed();
  },
  onEvent(frame) {
    const { incident, step, alarm } = frame.data ?? {};
    if (frame.event === 'incidentOpened' || frame.event === 'incidentUpdated') {
      if (!incident) return;
      const result = queue.apply(incident, frame.at, now());
      if (result === 'added') seen.afterPaint([incident.id]);
      if (result === 'added' && !places.has(incident.householdId)) void placeOf(incident.householdId);
      if (frame.event === 'incidentOpened' && result === 'added' && incident.class === 'emergency')
        sound.alert();
      if (incident.id === view.id && result !== 'stale') view.changed();
    } else if (frame.event === 'incidentEscalated') {
      if (!incident) return;
      queue.apply(incident, frame.at, now());
      if (step) queue.markEscalated(incident.id, step);
      if (incident.id === view.id) view.changed();
    } else if (view.detail && alarm?.householdId === view.detail.householdId) {
      view.changed();
    }
  },
  onStatus: showLiveStatus,
  onTime: () => tick(),
});

function tick() {
  const at = now();
  queue.tick(at);
  view.tick(at);
}

// Sound needs a user gesture once per page load (the browser's autoplay rule).
const banner = $('#sound-banner');
banner.addEventListener('click', async () => {
  await sound.enable();
  banner.hidden = true;
  toast(t('sound.on'));
});

onLangChange(() => {
  queue.relabel(now());
  if (view.detail) view.render();
  else view.showEmpty();
  applyI18n(document);
});

setInterval(tick, 1000);
live.start();
document.body.append(h('span', { id: 'page-ready', hidden: true }));
