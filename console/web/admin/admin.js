// The administrator's page: one tab per kind of record (list, create, edit where the API allows, delete),
// grids as the distinct grids of households and responders, Zigbee pairing (pairing.js), and the bulk
// import (import.js).
import { api, messageOf } from '../common/api.js';
import { $, $as, fill, h, isolate } from '../common/dom.js';
import { applyI18n, onLangChange, t } from '../common/i18n.js';
import { startPage, toast } from '../common/shell.js';
import { label } from '../dispatch/labels.js';
import { bodyOf, ENTITIES } from './entities.js';
import './messages.js';
import { showImport } from './import.js';
import { showPairing } from './pairing.js';

/** @import { Household, Responder } from '../api-types' */
/** @import { Entity, Field } from './entities.js' */

await startPage(['admin'], 'admin.title');
// This page works from the REST API alone (no live channel): no live status in its header.
document.getElementById('live-status')?.remove();

const TABS = [...ENTITIES.map((e) => e.key), 'grids', 'zigbee', 'import'];
const state = {
  tab: 'households',
  /** the household of the per-household tabs (residents, contacts) */
  household: '',
  /** @type {Household[]} */
  households: [],
  /** @type {string | null} the id of the record in the form */
  editing: null,
};

/** @param {string} id @param {string} secret */
function showSecret(id, secret) {
  const dialog = $as('#secret-dialog', HTMLDialogElement);
  $('#secret-id').textContent = id;
  $('#secret-value').textContent = secret;
  dialog.showModal();
}
$('#secret-close').addEventListener('click', () => {
  // the secret leaves the page with the dialog: it is not kept anywhere
  $('#secret-value').textContent = '';
  $as('#secret-dialog', HTMLDialogElement).close();
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
            void show();
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
    fill(box, h('p', { class: 'error' }, t('common.error', { message: messageOf(err) })));
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
          void show();
        },
      },
      state.households.map((x) =>
        h('option', { value: x.id, selected: x.id === state.household }, `${x.id} · ${isolate(x.address)}`),
      ),
    ),
  );
}

/** @param {Field} field @param {unknown} value */
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

/** @param {HTMLElement} box @param {Entity} entity */
async function showEntity(box, entity) {
  if (entity.perHousehold && state.households.length === 0) {
    fill(box, h('p', { class: 'muted' }, t('admin.needHousehold')));
    return;
  }
  const picker = entity.perHousehold ? householdPicker() : null;
  const rows = await entity.rows(state.household);
  const editing = state.editing === null ? undefined : rows.find((r) => r.id === state.editing);
  const values = editing ? editing.values : {};
  const fields = entity.fields.filter((f) => !(editing && f.createOnly));
  const form = h(
    'form',
    { class: 'panel entity-form', id: `${entity.key}-form` },
    h('h3', {}, t(editing ? 'admin.edit' : 'admin.create', { id: editing ? editing.id : '' })),
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
                void show();
              },
            },
            t('common.cancel'),
          )
        : null,
    ),
  );
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const formValues = Object.fromEntries(new FormData(form).entries());
    try {
      if (editing?.update) {
        await editing.update(bodyOf(fields, formValues, { forUpdate: true }));
        toast(t('admin.saved'));
      } else {
        const secret = await entity.create?.(bodyOf(fields, formValues), state.household);
        toast(t('admin.created'));
        if (secret) showSecret(secret.id, secret.secret);
      }
      state.editing = null;
      await show();
    } catch (err) {
      toast(t('common.error', { message: messageOf(err) }), 'error');
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
        entity.headings.map((k) => h('th', {}, t(k))),
        h('th', {}, ''),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          { 'data-id': r.id },
          r.cells.map((cell) => h('td', {}, cell)),
          h(
            'td',
            { class: 'row-actions' },
            r.update
              ? h(
                  'button',
                  {
                    type: 'button',
                    'data-edit': r.id,
                    onclick: () => {
                      state.editing = r.id;
                      void show();
                    },
                  },
                  t('admin.editButton'),
                )
              : null,
            r.remove
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'danger',
                    'data-delete': r.id,
                    onclick: async () => {
                      if (!confirm(t('admin.confirmDelete', { id: r.id }))) return;
                      try {
                        await r.remove?.();
                        toast(t('admin.deleted'));
                        await show();
                      } catch (err) {
                        toast(t('common.error', { message: messageOf(err) }), 'error');
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

/** @param {HTMLElement} box */
async function showGrids(box) {
  /** @type {Responder[]} */
  const responders = await api('GET', '/api/responders');
  /** @type {Map<string, { households: string[], responders: string[] }>} */
  const grids = new Map();
  /** @param {string} g */
  const of = (g) => {
    let grid = grids.get(g);
    if (!grid) {
      grid = { households: [], responders: [] };
      grids.set(g, grid);
    }
    return grid;
  };
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
                h('td', {}, v.responders.map(isolate).join(', ') || '—'),
              ),
            ),
        ),
      ),
    ),
  );
}

onLangChange(() => {
  applyI18n(document);
  void show();
});
await show();
