// The bulk import tab: the file goes to POST /api/import/jobs, and the page follows the job (GET every
// POLL_MS, which also keeps it alive: a job nobody asks about for 15 s is undone) with a progress bar and
// a cancel button until it commits, is refused line by line, or is undone. A committed job's new secrets
// are fetched once and shown once. The format is told from the content; the last report is kept, so a
// language switch (which draws the tab again) shows it again in the new language.
import { api, messageOf } from '../common/api.js';
import { fill, h } from '../common/dom.js';
import { t } from '../common/i18n.js';

/** @import { ImportJob, ImportReport } from '../api-types' */

/** ms between two questions about the job (well inside its 15 s lease) */
const POLL_MS = 500;
/** bytes: a bigger picked file is sent as it is, not copied into the text box */
const SHOWN_FILE_BYTES = 2 * 1024 * 1024;

/** @typedef {{ kind: 'done', job: ImportJob, secrets: ImportReport['secrets'] } | { kind: 'problems', problems: ImportReport['problems'] } | { kind: 'error', text: string }} Outcome */
/** @type {Outcome | null} the last import's report, drawn again after a language switch */
let last = null;

/**
 * JSON or CSV, from the text itself: a provisioning document starts with `{` (after a byte-order mark
 * and blanks); a CSV starts with its header row.
 * @param {string} text @returns {'json' | 'csv'}
 */
export function formatOf(text) {
  return /^\uFEFF?\s*[{[]/.test(text) ? 'json' : 'csv';
}

/** @param {HTMLElement} box */
export function showImport(box) {
  /** @type {File | null} a picked file too big for the text box */
  let picked = null;
  const text = h('textarea', {
    id: 'import-text',
    rows: '14',
    spellcheck: 'false',
    placeholder: t('import.placeholder'),
    oninput: () => {
      picked = null;
      if (text.value.trim() !== '') format.value = formatOf(text.value);
    },
  });
  const format = h(
    'select',
    { id: 'import-format' },
    h('option', { value: 'json' }, 'JSON'),
    h('option', { value: 'csv' }, 'CSV'),
  );
  const file = h('input', {
    type: 'file',
    id: 'import-file',
    accept: '.json,.csv,text/csv,application/json',
    onchange: async (ev) => {
      const f = ev.currentTarget.files?.[0];
      if (!f) return;
      format.value = formatOf(await f.slice(0, 1024).text());
      if (f.size > SHOWN_FILE_BYTES) {
        picked = f;
        text.value = '';
        text.placeholder = t('import.picked', { name: f.name, mb: (f.size / 1048576).toFixed(1) });
      } else {
        picked = null;
        text.value = await f.text();
      }
    },
  });
  const report = h('div', { id: 'import-report' });
  if (last) fill(report, drawn(last));
  const run = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      id: 'import-run',
      onclick: async () => {
        run.disabled = true;
        try {
          await runImport(
            report,
            picked ?? text.value,
            format.value === 'csv' ? 'text/csv' : 'application/json',
          );
        } finally {
          run.disabled = false;
        }
      },
    },
    t('import.run'),
  );
  fill(
    box,
    h(
      'section',
      { class: 'panel import' },
      h('h3', {}, t('entity.import')),
      h('p', { class: 'muted' }, t('import.hint')),
      h('div', { class: 'form-row' }, file, format, run),
      text,
      report,
    ),
  );
}

/**
 * Starts the job and follows it to its end in `report`.
 * @param {HTMLElement} report @param {string | Blob} body @param {string} contentType
 */
async function runImport(report, body, contentType) {
  last = null;
  fill(report, h('p', { class: 'muted' }, t('import.sending')));
  /** @type {ImportJob} */
  let job;
  try {
    job = await api('POST', '/api/import/jobs', undefined, { raw: body, contentType });
  } catch (err) {
    show(report, { kind: 'error', text: messageOf(err) });
    return;
  }
  const bar = h('progress', { id: 'import-progress', max: '1' });
  const line = h('p', { class: 'muted', id: 'import-stage' });
  const cancel = h(
    'button',
    {
      type: 'button',
      id: 'import-cancel',
      onclick: () => {
        cancel.disabled = true;
        api('DELETE', `/api/import/jobs/${job.id}`).catch(() => undefined);
      },
    },
    t('import.cancel'),
  );
  fill(report, h('div', { class: 'import-job' }, bar, line, cancel));
  while (!FINAL.has(job.state)) {
    showProgress(bar, line, job);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    try {
      job = await api('GET', `/api/import/jobs/${job.id}`);
    } catch (err) {
      show(report, { kind: 'error', text: messageOf(err) });
      return;
    }
  }
  show(report, await outcome(job));
}

/** Keeps `o` as the last report and draws it. @param {HTMLElement} report @param {Outcome} o */
function show(report, o) {
  last = o;
  fill(report, drawn(o));
}

/** @param {Outcome} o @returns {HTMLElement} */
function drawn(o) {
  if (o.kind === 'problems') return importProblems(o.problems);
  if (o.kind === 'error') return h('p', { class: 'error', id: 'import-error' }, o.text);
  const { job, secrets } = o;
  if (job.state === 'invalid')
    return h('p', { class: 'error' }, `${job.invalidField?.path ?? ''} ${job.invalidField?.reason ?? ''}`);
  if (job.state !== 'committed')
    return h('p', { class: 'error', id: 'import-undone' }, t('import.undone', { reason: job.reason ?? '' }));
  return importDone({ ok: true, problems: [], counts: job.counts, secrets });
}

const FINAL = new Set(['committed', 'refused', 'invalid', 'rolled_back', 'failed']);

/** @param {HTMLProgressElement} bar @param {HTMLElement} line @param {ImportJob} job */
function showProgress(bar, line, job) {
  const total = job.households.total;
  if (job.state === 'checking' || total === null) {
    bar.removeAttribute('value'); // indeterminate while the file is checked
    line.textContent = t(`import.phase.${job.phase ?? 'parsing'}`);
    return;
  }
  bar.max = Math.max(total, 1);
  bar.value = job.households.written;
  line.textContent =
    job.state === 'rolling_back'
      ? t('import.rolling_back')
      : t('import.writing', { written: job.households.written, total });
}

/** What a finished job comes to: its problems, or the job with its secrets (fetched once). @param {ImportJob} job @returns {Promise<Outcome>} */
async function outcome(job) {
  if (job.state === 'refused') return { kind: 'problems', problems: job.problems };
  if (job.state !== 'committed' || job.secrets !== 'available') return { kind: 'done', job, secrets: [] };
  try {
    /** @type {{ secrets: ImportReport['secrets'] }} */
    const answer = await api('GET', `/api/import/jobs/${job.id}/secrets`);
    return { kind: 'done', job, secrets: answer.secrets };
  } catch (err) {
    return { kind: 'error', text: messageOf(err) };
  }
}

/** @param {ImportReport} answer */
function importDone(answer) {
  return h(
    'div',
    { id: 'import-ok' },
    h('p', { class: 'ok' }, t('import.ok')),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['import.kind', 'import.created', 'import.updated', 'import.unchanged'].map((k) =>
            h('th', {}, t(k)),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        Object.entries(answer.counts).map(([kind, c]) =>
          h(
            'tr',
            {},
            h('td', {}, kind),
            h('td', {}, String(c.created)),
            h('td', {}, String(c.updated)),
            h('td', {}, String(c.unchanged)),
          ),
        ),
      ),
    ),
    answer.secrets.length
      ? h(
          'div',
          { class: 'secrets', id: 'import-secrets' },
          h('p', { class: 'warn' }, t('secret.once')),
          h(
            'table',
            {},
            h(
              'tbody',
              {},
              answer.secrets.map((s) => h('tr', {}, h('td', {}, s.id), h('td', {}, h('code', {}, s.secret)))),
            ),
          ),
        )
      : null,
  );
}

/** @param {ImportReport['problems']} problems */
function importProblems(problems) {
  return h(
    'div',
    { id: 'import-problems' },
    h('p', { class: 'error' }, t('import.refused', { n: problems.length })),
    h(
      'table',
      {},
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['import.line', 'import.path', 'import.reason'].map((k) => h('th', {}, t(k))),
        ),
      ),
      h(
        'tbody',
        {},
        problems.map((p) =>
          h(
            'tr',
            { 'data-line': String(p.line) },
            h('td', {}, String(p.line)),
            h('td', {}, h('code', {}, p.path)),
            h('td', {}, p.reason),
          ),
        ),
      ),
    ),
  );
}
