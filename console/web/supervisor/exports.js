// The supervisor's exports: the incident list and the SLA figures for a date range, as CSV or JSON.
// Plain links to the API (the session cookie goes with them), rebuilt whenever a field changes.
import { $as } from '../common/dom.js';
import { addMessages, zoneOffset } from '../common/i18n.js';

addMessages({
  zh: {
    'exp.title': '导出',
    'exp.from': '起始日期',
    'exp.to': '截止日期（含）',
    'exp.grid': '网格（可选）',
    'exp.incidents': '警情清单',
    'exp.sla': '服务指标',
  },
  en: {
    'exp.title': 'Exports',
    'exp.from': 'From',
    'exp.to': 'To (inclusive)',
    'exp.grid': 'Grid (optional)',
    'exp.incidents': 'Incident list',
    'exp.sla': 'SLA figures',
  },
});

/** YYYY-MM-DD of a local date. */
const day = (/** @type {Date} */ d) =>
  `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

/** The day after a YYYY-MM-DD (the API's `to` is exclusive; the form's is inclusive). */
function dayAfter(/** @type {string} */ value) {
  const [y, m, d] = value.split('-').map(Number);
  return day(new Date(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + 1));
}

/** Fills the form's defaults (this month so far) and keeps the four links in step with it. */
export function setUpExports() {
  const from = $as('#exp-from', HTMLInputElement);
  const to = $as('#exp-to', HTMLInputElement);
  const grid = $as('#exp-grid', HTMLInputElement);
  // today on the households' clock (the report's days are theirs), as a calendar date
  const there = new Date(Date.now() + zoneOffset() * 60_000);
  const today = new Date(there.getUTCFullYear(), there.getUTCMonth(), there.getUTCDate());
  from.value = day(new Date(today.getFullYear(), today.getMonth(), 1));
  to.value = day(today);
  const update = () => {
    const range = `from=${from.value}&to=${dayAfter(to.value)}`;
    const g = grid.value.trim() ? `&grid=${encodeURIComponent(grid.value.trim())}` : '';
    for (const format of ['csv', 'json']) {
      $as(`#exp-incidents-${format}`, HTMLAnchorElement).href =
        `/api/incidents/export?${range}${g}&format=${format}`;
      $as(`#exp-sla-${format}`, HTMLAnchorElement).href = `/api/reports/sla?${range}&format=${format}`;
    }
  };
  for (const input of [from, to, grid]) input.addEventListener('input', update);
  // Enter in a field would submit the form (a navigation): the links are the form's answer.
  $as('#exp-form', HTMLFormElement).addEventListener('submit', (ev) => ev.preventDefault());
  update();
}
