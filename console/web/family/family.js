// The family page: a relative's status, live (console/live: householdChanged, incidentOpened/Updated of
// the user's households only). Everything shown is refetched from the REST API on each event.
import './messages.js';
import { api, messageOf } from '../common/api.js';
import { $, $as, fill, h } from '../common/dom.js';
import { onLangChange, pick, t } from '../common/i18n.js';
import { Live } from '../common/live.js';
import { serialReloader } from '../common/reload.js';
import { showLiveStatus, startPage, toast } from '../common/shell.js';
import { renderAway, renderPast, submitAway } from './past.js';
import { renderProgress } from './progress.js';
import { renderRhythm } from './rhythm.js';
import { renderContacts, renderHealth, renderStatus } from './status.js';

/** @import { Household, HouseholdStatus, Incident, IncidentDetail, IncidentSummary, RhythmAnswer } from '../api-types' */

/** A closed incident stays on the tracker this long after it closed (ms, hub clock). */
const KEEP_CLOSED_MS = 2 * 3_600_000;

const user = await startPage(['family'], 'family.title');
/** @type {string[]} */
const households = user.households ?? [];

const view = {
  householdId: /** @type {string | null} */ (null),
  status: /** @type {HouseholdStatus | null} */ (null),
  /** the household's latest incidents, newest first */
  incidents: /** @type {Incident[]} */ ([]),
  /** the incident the tracker shows: its detail when that loaded, else its summary */
  tracked: /** @type {IncidentSummary | IncidentDetail | null} */ (null),
  detail: /** @type {IncidentDetail | null} */ (null),
  rhythm: /** @type {RhythmAnswer | null} */ (null),
};

const live = new Live({
  resync: () => reload(),
  onEvent: (frame) => {
    const data = frame.data ?? {};
    const householdId = data.householdId ?? data.incident?.householdId;
    if (householdId !== view.householdId) return;
    if (frame.event === 'notification' && data.text) {
      // One message at a time on a phone: the tracker holds the whole story.
      document.getElementById('toasts')?.replaceChildren();
      toast(pick(data.text));
    }
    scheduleReload();
  },
  onStatus: showLiveStatus,
  onTime: () => render(),
});

function pickHousehold() {
  const wanted = decodeURIComponent(location.hash.slice(1));
  return households.includes(wanted) ? wanted : (households[0] ?? null);
}

/**
 * The incident the tracker shows: the one in progress, else one closed within the last 2 h.
 * @returns {IncidentSummary | null}
 */
function trackedIncident() {
  if (view.status?.activeIncident) return view.status.activeIncident;
  const last = view.incidents[0];
  if (last?.closedAt != null && live.serverNow() - last.closedAt < KEEP_CLOSED_MS) return last;
  return null;
}

async function reload() {
  const id = view.householdId;
  if (!id) return;
  const path = `/api/households/${encodeURIComponent(id)}`;
  const [status, incidents] = await Promise.all([
    /** @type {Promise<HouseholdStatus>} */ (api('GET', `${path}/status`)),
    /** @type {Promise<Incident[]>} */ (
      api('GET', `/api/incidents?household=${encodeURIComponent(id)}&limit=20`)
    ),
  ]);
  if (id !== view.householdId) return; // switched household meanwhile
  view.status = status;
  view.incidents = incidents;
  const tracked = trackedIncident();
  const [detail, rhythm] = await Promise.all([
    tracked
      ? /** @type {Promise<IncidentDetail>} */ (
          api('GET', `/api/incidents/${encodeURIComponent(tracked.id)}`)
        ).catch(() => null)
      : null,
    status.household.sharing === 'rhythm'
      ? /** @type {Promise<RhythmAnswer>} */ (api('GET', `${path}/rhythm`)).catch(() => null)
      : null,
  ]);
  if (id !== view.householdId) return;
  view.tracked = detail ?? tracked;
  view.detail = detail;
  view.rhythm = rhythm;
  render();
}

/** Reloads once at a time; events during a reload cause one more. */
const scheduleReload = serialReloader(reload, (err) =>
  toast(t('common.error', { message: err.message }), 'error'),
);

function render() {
  const s = view.status;
  if (!s) return;
  const now = live.serverNow();
  renderStatus($('#status'), s, now);
  const panel = $('#progress-panel');
  panel.hidden = !view.tracked;
  if (view.tracked) {
    fill($('#progress-what'), pick(view.tracked.explanation));
    renderProgress($('#progress'), view.tracked, view.detail, now);
  }
  renderHealth($('#device-health'), s.devices);
  renderContacts($('#contacts'), s.contacts);
  renderRhythm($('#rhythm'), s.household, view.rhythm);
  renderPast($('#past-incidents'), view.incidents);
  renderAway(
    { current: $('#away-current'), form: $as('#away-form', HTMLFormElement) },
    s.household.id,
    s.away,
    now,
    scheduleReload,
  );
}

/** @type {Map<string, string>} household id → address, for the picker */
const addresses = new Map();

async function loadAddresses() {
  if (households.length < 2) return;
  await Promise.all(
    households.map(async (id) => {
      const hh = await /** @type {Promise<Household>} */ (
        api('GET', `/api/households/${encodeURIComponent(id)}`)
      ).catch(() => null);
      if (hh?.address) addresses.set(id, hh.address);
    }),
  );
  drawPicker();
}

function drawPicker() {
  const picker = $as('#household-picker', HTMLSelectElement);
  $('#picker').hidden = households.length < 2;
  fill(
    picker,
    households.map((id) =>
      h('option', { value: id, selected: id === view.householdId }, addresses.get(id) ?? id),
    ),
  );
  picker.onchange = () => {
    location.hash = encodeURIComponent(picker.value);
  };
}

window.addEventListener('hashchange', () => {
  const next = pickHousehold();
  if (next === view.householdId) return;
  view.householdId = next;
  view.status = null;
  view.rhythm = null;
  drawPicker();
  scheduleReload();
});

const awayForm = $as('#away-form', HTMLFormElement);
awayForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  if (!view.householdId) return;
  try {
    await submitAway(awayForm, view.householdId);
    toast(t('family.awayForm.saved'));
  } catch (err) {
    toast(t('common.error', { message: messageOf(err) }), 'error');
  }
  scheduleReload();
});

onLangChange(() => render());

view.householdId = pickHousehold();
if (!view.householdId) {
  for (const section of document.querySelectorAll('#family section')) section.setAttribute('hidden', '');
  $('#no-household').hidden = false;
} else {
  drawPicker();
  void loadAddresses();
  live.start();
}
