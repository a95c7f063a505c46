// The administrator's page: one tab per kind of record (list, create, edit where the API allows, delete),
// grids as the distinct grids of households and responders, Zigbee pairing (pairing.js), and the bulk
// import with its per-line report.
import { api } from '../common/api.js';
import { $, fill, h } from '../common/dom.js';
import { applyI18n, onLangChange, t } from '../common/i18n.js';
import { startPage, toast } from '../common/shell.js';
import { label } from '../dispatch/labels.js';
import { bodyOf, ENTITIES } from './entities.js';
import './messages.js';
import { showPairing } from './pairing.js';

await startPage(['admin'], 'admin.title');
// This page works from the REST API alone (no live channel): no live status in its header.
document.getElementById('live-status')?.remove();

const TABS = [...ENTITIES.map((e) => e.key), 'grids', 'zigbee', 'import'];
const state = { tab: 'households', household: '', households: [], editing: null };

function showSecret(id, secret) {
  const dialog = /** @type {HTMLDialogElement} */ ($('#secret-dialog'));
  $('#secret-id').textContent = id;
  $('#secret-value').textContent = secret;
  dialog.showModal();
}
$('#secret-close').addEventListener('click', () => {
  // the secret leaves the page with the dialog: it is not kept anywhere
  $('#secret-value').textContent = '';
  /** @type {HTMLDialogElement} */ ($('#secret-dialog')).close();
});

function drawTabs() {
  fill(
    $('#tabs'),
    TABS.map((key) =>
      h(
        'button',
        {
          type: 'button',
          id: `tab-${key}`,
          class: key === state.tab ? 'tab active' : 'tab',
          'aria-pressed': key === state.tab ? 'true' : 'false',
          onclick: () => {
            state.tab = key;
            state.editing = null;
            show();
          },
        },
        t(`entity.${key}`),
      ),
    ),
  );
}

async function show() {
  drawTabs();
  const box = $('#content');
  fill(box, h('p', { class: 'muted' }, t('common.loading')));
  try {
    state.households = await api('GET', '/api/households');
    if (state.tab === 'grids') return await showGrids(box);
    if (state.tab === 'import') return showImport(box);
    if (state.tab === 'zigbee') return await showPairing(box);
    const entity = ENTITIES.find((e) => e.key === state.tab);
    if (entity) await showEntity(box, entity);
  } catch (err) {
    fill(box, h('p', { class: 'error' }, t('common.error', { message: err.message })));
  }
}

function householdPicker() {
  if (!state.household || !state.households.some((x) => x.id === state.household))
    state.household = state.households[0]?.id ?? '';
  return h(
    'label',
    { class: 'picker' },
    t('field.household'),
    ' ',
    h(
      'select',
      {
        id: 'household-picker',
        onchange: (ev) => {
          state.household = ev.currentTarget.value;
          show();
        },
      },
      state.households.map((x) =>
        h('option', { value: x.id, selected: x.id === state.household }, `${x.id} · ${x.address}`),
      ),
    ),
  );
}

function input(field, value) {
  const common = { name: field.name, id: `f-${field.name}`, required: field.required && !state.editing };
  if (field.options) {
    const options = field.options === 'households' ? state.households.map((x) => x.id) : field.options;
    return h(
      'select',
      common,
      options.map((o) =>
        h(
          'option',
          { value: o, selected: String(value ?? '') === o },
          o === '' ? '—' : field.optionGroup ? label(field.optionGroup, o) : o,
        ),
      ),
    );
  }
  return h('input', {
    ...common,
    type: field.type === 'number' ? 'number' : field.type === 'password' ? 'password' : 'text',
    step: field.type === 'number' ? 'any' : undefined,
    value: value ?? '',
    autocomplete: field.type === 'password' ? 'new-password' : 'off',
  });
}

async function showEntity(box, entity) {
  if (entity.perHousehold && state.households.length === 0) {
    fill(box, h('p', { class: 'muted' }, t('admin.needHousehold')));
    return;
  }
  const picker = entity.perHousehold ? householdPicker() : null;
  const rows = await entity.list(entity.perHousehold ? state.household : undefined);
  const editing = state.editing && rows.find((r) => entity.idOf(r) === state.editing);
  const values = editing ? (entity.formValues?.(editing) ?? editing) : {};
  const fields = entity.fields.filter((f) => !(editing && f.createOnly));
  const form = h(
    'form',
    { class: 'panel entity-form', id: `${entity.key}-form` },
    h('h3', {}, t(editing ? 'admin.edit' : 'admin.create', { id: editing ? entity.idOf(editing) : '' })),
    h(
      'div',
      { class: 'fields' },
      fields.map((f) =>
        h(
          'label',
          {},
          h('span', {}, t(f.label), f.required && !editing ? ' *' : ''),
          input(f, values[f.name]),
        ),
      ),
    ),
    h(
      'div',
      { class: 'form-actions' },
      h('button', { type: 'submit', class: 'primary', id: 'save' }, t(editing ? 'common.save' : 'admin.add')),
      editing
        ? h(
            'button',
            {
              type: 'button',
              onclick: () => {
                state.editing = null;
                show();
              },
            },
            t('common.cancel'),
          )
        : null,
    ),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const formValues = Object.fromEntries(new FormData(/** @type {HTMLFormElement} */ (form)).entries());
    try {
      if (editing && entity.update) {
        await entity.update(editing, bodyOf(fields, formValues, { forUpdate: true }));
        toast(t('admin.saved'));
      } else {
        const answer = await entity.create?.(bodyOf(fields, formValues), state.household);
        toast(t('admin.created'));
        const secret = entity.secretOf?.(answer);
        if (secret) showSecret(secret.id, secret.secret);
      }
      state.editing = null;
      await show();
    } catch (err) {
      toast(t('common.error', { message: err.message }), 'error');
    }
  });
  const table = h(
    'table',
    { class: 'entity-table', id: `${entity.key}-table` },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        entity.columns.map(([k]) => h('th', {}, t(k))),
        h('th', {}, ''),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          { 'data-id': entity.idOf(r) },
          entity.columns.map(([, get]) => h('td', {}, get(r))),
          h(
            'td',
            { class: 'row-actions' },
            entity.update
              ? h(
                  'button',
                  {
                    type: 'button',
                    'data-edit': entity.idOf(r),
                    onclick: () => {
                      state.editing = entity.idOf(r);
                      show();
                    },
                  },
                  t('admin.editButton'),
                )
              : null,
            entity.remove
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    'data-delete': entity.idOf(r),
                    onclick: async () => {
                      if (!confirm(t('admin.confirmDelete', { id: entity.idOf(r) }))) return;
                      try {
                        await entity.remove?.(r);
                        toast(t('admin.deleted'));
                        await show();
                      } catch (err) {
                        toast(t('common.error', { message: err.message }), 'error');
                      }
                    },
                  },
                  t('admin.delete'),
                )
              : null,
          ),
        ),
      ),
    ),
  );
  fill(
    box,
    picker,
    h(
      'div',
      { class: 'entity' },
      h(
        'section',
        { class: 'panel list' },
        h('h3', {}, t(entity.title), ` (${rows.length})`),
        rows.length ? table : h('p', { class: 'muted' }, t('common.none')),
      ),
      form,
    ),
  );
}

async function showGrids(box) {
  const responders = await api('GET', '/api/responders');
  const grids = new Map();
  const of = (g) => grids.get(g) ?? grids.set(g, { households: [], responders: [] }).get(g);
  for (const x of state.households) of(x.grid).households.push(x.id);
  for (const r of responders) for (const g of r.grids) of(g).responders.push(r.name);
  fill(
    box,
    h(
      'section',
      { class: 'panel' },
      h('h3', {}, t('entity.grids'), ` (${grids.size})`),
      h('p', { class: 'muted' }, t('admin.gridsHint')),
      h(
        'table',
        { id: 'grids-table' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, t('field.grid')),
            h('th', {}, t('entity.households')),
            h('th', {}, t('entity.responders')),
          ),
        ),
        h(
          'tbody',
          {},
          [...grids.entries()]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([g, v]) =>
              h(
                'tr',
                { 'data-grid': g },
                h('td', {}, g),
                h('td', {}, `${v.households.length}: ${v.households.join(', ')}`),
                h('td', {}, v.responders.join(', ') || '—'),
              ),
            ),
        ),
      ),
    ),
  );
}

function showImport(box) {
  const text = /** @type {HTMLTextAreaElement} */ (
    h('textarea', {
      id: 'import-text',
      rows: '14',
      spellcheck: 'false',
      placeholder: t('import.placeholder'),
    })
  );
  const format = /** @type {HTMLSelectElement} */ (
    h(
      'select',
      { id: 'import-format' },
      h('option', { value: 'json' }, 'JSON'),
      h('option', { value: 'csv' }, 'CSV'),
    )
  );
  const file = h('input', {
    type: 'file',
    id: 'import-file',
    accept: '.json,.csv,text/csv,application/json',
    onchange: async (ev) => {
      const f = ev.currentTarget.files?.[0];
      if (!f) return;
      text.value = await f.text();
      format.value = f.name.toLowerCase().endsWith('.csv') ? 'csv' : 'json';
    },
  });
  const report = h('div', { id: 'import-report' });
  const run = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      id: 'import-run',
      onclick: async () => {
        fill(report, h('p', { class: 'muted' }, t('common.loading')));
        try {
          const answer = await api('POST', '/api/import', undefined, {
            raw: text.value,
            contentType: format.value === 'csv' ? 'text/csv' : 'application/json',
          });
          fill(report, importDone(answer));
        } catch (err) {
          const problems = err.details?.problems;
          fill(report, problems ? importProblems(problems) : h('p', { class: 'error' }, err.message));
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

onLangChange(() => {
  applyI18n(document);
  show();
});
await show();
