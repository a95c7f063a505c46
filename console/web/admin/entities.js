// What the administrator's page manages, as configuration: how to list, create, update and delete each
// kind of record through the REST API, its columns and its form fields. The page (admin.js) is generic.

import { api } from '../common/api.js';
import { isolate } from '../common/dom.js';
import { formatCoordinates } from '../common/i18n.js';
import { label } from '../dispatch/labels.js';

/**
 * @import { Contact, Device, DeviceCreated, Gateway, GatewayCreated, Household, Resident, Responder, Station, User } from '../api-types'
 */

const enc = encodeURIComponent;
const ROOMS = ['', 'bedroom', 'bathroom', 'kitchen', 'living', 'entrance', 'other'];
const DEVICE_TYPES = ['button', 'wristband', 'motion', 'leak', 'water_meter'];
const ROLES = ['dispatcher', 'supervisor', 'admin', 'responder', 'family'];
const KINDS = ['grid_worker', 'station_staff', 'volunteer'];

/**
 * A form value → the API's: '' → left out (or null where `nullable`), numbers and lists parsed.
 * @param {Field[]} fields @param {Record<string, unknown>} values the form's, by field name
 * @param {{ forUpdate?: boolean }} [opts]
 * @returns {Body}
 */
export function bodyOf(fields, values, { forUpdate = false } = {}) {
  /** @type {Body} */
  const body = {};
  for (const f of fields) {
    if (forUpdate && f.createOnly) continue;
    const raw = String(values[f.name] ?? '').trim();
    if (raw === '') {
      if (f.nullable && forUpdate) body[f.name] = null;
      continue;
    }
    if (f.type === 'number') body[f.name] = Number(raw);
    else if (f.type === 'list')
      body[f.name] = raw
        .split(/[,，;；\n]/)
        .map((s) => s.trim())
        .filter(Boolean);
    else body[f.name] = raw;
  }
  return body;
}

/** Households' lat/lon fields are one `location` object in the API. @param {Body} body */
function withLocation(body) {
  const { lat, lon, ...rest } = body;
  if (lat !== undefined && lon !== undefined) rest.location = { lat, lon };
  return rest;
}

/**
 * A request body from a form (the API checks it against its schema and answers 400 with the field).
 * @typedef {Record<string, unknown>} Body
 * @typedef {{ name: string, label: string, required?: boolean, createOnly?: boolean, type?: 'text' | 'number' | 'list' | 'password', options?: string[] | 'households', optionGroup?: string, nullable?: boolean }} Field
 * @typedef {{ id: string, secret: string }} ShownSecret
 */

/**
 * One kind of record, as configured below: R is the API's record (api-types.d.ts), A what its create answers.
 * @template {Record<string, unknown>} R
 * @template [A=unknown]
 * @typedef {{
 *   key: string,
 *   title: string,
 *   perHousehold?: boolean,
 *   columns: Array<[string, (row: R) => string]>,
 *   fields: Field[],
 *   list: (hh: string) => Promise<R[]>,
 *   create?: (body: Body, hh: string) => Promise<A>,
 *   update?: (row: R, body: Body) => Promise<unknown>,
 *   remove?: (row: R) => Promise<unknown>,
 *   secretOf?: (answer: A) => ShownSecret | null,
 *   idOf: (row: R) => string,
 *   formValues?: (row: R) => Record<string, unknown>,
 * }} EntitySpec
 */

/**
 * A record as the page shows it: its id, its cells, its form values, and what can be done to it.
 * @typedef {{ id: string, cells: string[], values: Record<string, unknown>, update?: (body: Body) => Promise<unknown>, remove?: () => Promise<unknown> }} EntityRow
 */

/**
 * A kind of record as the page (admin.js) handles it, whatever the record's type: each row comes with its
 * cells and its own update and remove.
 * @typedef {{
 *   key: string,
 *   title: string,
 *   perHousehold: boolean,
 *   headings: string[],
 *   fields: Field[],
 *   canUpdate: boolean,
 *   canRemove: boolean,
 *   rows: (hh: string) => Promise<EntityRow[]>,
 *   create?: (body: Body, hh: string) => Promise<ShownSecret | null>,
 * }} Entity
 */

/**
 * @template {Record<string, unknown>} R
 * @template [A=unknown]
 * @param {EntitySpec<R, A>} spec
 * @returns {Entity}
 */
function entity(spec) {
  const { create, update, remove, secretOf } = spec;
  return {
    key: spec.key,
    title: spec.title,
    perHousehold: spec.perHousehold ?? false,
    headings: spec.columns.map(([heading]) => heading),
    fields: spec.fields,
    canUpdate: update !== undefined,
    canRemove: remove !== undefined,
    rows: async (hh) =>
      (await spec.list(hh)).map((row) => ({
        id: spec.idOf(row),
        cells: spec.columns.map(([, cell]) => cell(row)),
        values: spec.formValues ? spec.formValues(row) : row,
        ...(update ? { update: (body) => update(row, body) } : {}),
        ...(remove ? { remove: () => remove(row) } : {}),
      })),
    ...(create
      ? {
          create: async (body, hh) => {
            const answer = await create(body, hh);
            return secretOf?.(answer) ?? null;
          },
        }
      : {}),
  };
}

/** @type {EntitySpec<Household>} */
const households = {
  key: 'households',
  title: 'entity.households',
  columns: [
    ['field.id', (r) => r.id],
    ['field.address', (r) => r.address],
    ['field.grid', (r) => r.grid],
    ['field.location', (r) => (r.location ? formatCoordinates(r.location.lat, r.location.lon) : '—')],
    ['field.sharing', (r) => label('sharing', r.sharing)],
  ],
  fields: [
    { name: 'id', label: 'field.id', required: true, createOnly: true },
    { name: 'address', label: 'field.address', required: true },
    { name: 'grid', label: 'field.grid', required: true },
    { name: 'lat', label: 'field.lat', type: 'number' },
    { name: 'lon', label: 'field.lon', type: 'number' },
    { name: 'notes', label: 'field.notes' },
    { name: 'sharing', label: 'field.sharing', options: ['status', 'rhythm'], optionGroup: 'sharing' },
  ],
  idOf: (r) => r.id,
  formValues: (r) => ({ ...r, lat: r.location?.lat ?? '', lon: r.location?.lon ?? '' }),
  list: () => api('GET', '/api/households'),
  create: (b) => api('POST', '/api/households', withLocation(b)),
  update: (r, b) => api('PUT', `/api/households/${enc(r.id)}`, withLocation(b)),
  remove: (r) => api('DELETE', `/api/households/${enc(r.id)}`),
};

/** @type {EntitySpec<Resident>} */
const residents = {
  key: 'residents',
  title: 'entity.residents',
  perHousehold: true,
  columns: [
    ['field.id', (r) => r.id],
    ['field.name', (r) => r.name],
    ['field.birthYear', (r) => (r.birthYear === null ? '—' : String(r.birthYear))],
    ['field.careNotes', (r) => r.careNotes.map(isolate).join('，')],
    ['field.language', (r) => label('language', r.language)],
  ],
  fields: [
    { name: 'id', label: 'field.id', required: true, createOnly: true },
    { name: 'name', label: 'field.name', required: true },
    { name: 'birthYear', label: 'field.birthYear', type: 'number' },
    { name: 'careNotes', label: 'field.careNotes', type: 'list' },
    { name: 'language', label: 'field.language' },
  ],
  idOf: (r) => r.id,
  formValues: (r) => ({ ...r, careNotes: r.careNotes.join(', ') }),
  list: (hh) => api('GET', `/api/households/${enc(hh)}/residents`),
  create: (b, hh) => api('POST', `/api/households/${enc(hh)}/residents`, b),
  update: (r, b) => api('PUT', `/api/residents/${enc(r.id)}`, b),
  remove: (r) => api('DELETE', `/api/residents/${enc(r.id)}`),
};

/** @type {EntitySpec<Contact>} */
const contacts = {
  key: 'contacts',
  title: 'entity.contacts',
  perHousehold: true,
  columns: [
    ['field.priority', (r) => String(r.priority)],
    ['field.name', (r) => r.name],
    ['field.relation', (r) => r.relation],
    ['field.phone', (r) => r.phone],
  ],
  fields: [
    { name: 'name', label: 'field.name', required: true },
    { name: 'relation', label: 'field.relation' },
    { name: 'phone', label: 'field.phone', required: true },
    { name: 'priority', label: 'field.priority', type: 'number' },
  ],
  idOf: (r) => String(r.id),
  list: (hh) => api('GET', `/api/households/${enc(hh)}/contacts`),
  create: (b, hh) => api('POST', `/api/households/${enc(hh)}/contacts`, b),
  update: (r, b) => api('PUT', `/api/contacts/${r.id}`, b),
  remove: (r) => api('DELETE', `/api/contacts/${r.id}`),
};

/** @type {EntitySpec<Device, DeviceCreated>} */
const devices = {
  key: 'devices',
  title: 'entity.devices',
  columns: [
    ['field.id', (r) => r.id],
    ['field.household', (r) => r.householdId],
    ['field.type', (r) => label('device', r.type)],
    ['field.room', (r) => label('room', r.room)],
    ['field.resident', (r) => r.residentId ?? '—'],
    ['field.gateway', (r) => r.gatewayId ?? '—'],
    ['column.sosActions', (r) => r.sosActions?.join(', ') ?? '—'],
    ['field.enabled', (r) => (r.enabled ? '✓' : '✗')],
  ],
  fields: [
    { name: 'id', label: 'field.id', required: true, createOnly: true },
    { name: 'householdId', label: 'field.household', required: true, options: 'households' },
    { name: 'type', label: 'field.type', required: true, options: DEVICE_TYPES, optionGroup: 'device' },
    { name: 'room', label: 'field.room', options: ROOMS, optionGroup: 'room', nullable: true },
    { name: 'residentId', label: 'field.resident', nullable: true },
    { name: 'gatewayId', label: 'field.gateway', createOnly: true },
    { name: 'friendlyName', label: 'field.friendlyName', createOnly: true },
    // A Zigbee button's own list; left empty: the default (single, sos, emergency, press).
    { name: 'sosActions', label: 'field.sosActions', type: 'list', nullable: true },
  ],
  idOf: (r) => r.id,
  formValues: (r) => ({
    ...r,
    room: r.room ?? '',
    residentId: r.residentId ?? '',
    gatewayId: r.gatewayId ?? '',
    sosActions: r.sosActions?.join(', ') ?? '',
  }),
  list: () => api('GET', '/api/devices'),
  create: (b) => api('POST', '/api/devices', b),
  update: (r, b) => api('PUT', `/api/devices/${enc(r.id)}`, b),
  remove: (r) => api('DELETE', `/api/devices/${enc(r.id)}`),
  secretOf: (a) => (a.secret ? { id: a.device.id, secret: a.secret } : null),
};

/** @type {EntitySpec<Gateway, GatewayCreated>} */
const gateways = {
  key: 'gateways',
  title: 'entity.gateways',
  columns: [
    ['field.id', (r) => r.id],
    ['field.household', (r) => r.householdId],
    ['field.enabled', (r) => (r.enabled ? '✓' : '✗')],
  ],
  fields: [
    { name: 'id', label: 'field.id', required: true, createOnly: true },
    { name: 'householdId', label: 'field.household', required: true, options: 'households' },
  ],
  idOf: (r) => r.id,
  list: () => api('GET', '/api/gateways'),
  create: (b) => api('POST', '/api/gateways', b),
  remove: (r) => api('DELETE', `/api/gateways/${enc(r.id)}`),
  secretOf: (a) => ({ id: a.gateway.id, secret: a.secret }),
};

/** @type {EntitySpec<User>} */
const users = {
  key: 'users',
  title: 'entity.users',
  columns: [
    ['field.username', (r) => r.username],
    ['field.role', (r) => label('role', r.role)],
    ['field.displayName', (r) => r.displayName],
    ['field.households', (r) => r.households.join(', ')],
    ['field.enabled', (r) => (r.enabled ? '✓' : '✗')],
  ],
  fields: [
    { name: 'username', label: 'field.username', required: true, createOnly: true },
    { name: 'role', label: 'field.role', required: true, options: ROLES, optionGroup: 'role' },
    { name: 'password', label: 'field.password', required: true, type: 'password', createOnly: true },
    { name: 'displayName', label: 'field.displayName' },
    { name: 'households', label: 'field.households', type: 'list' },
  ],
  idOf: (r) => String(r.id),
  formValues: (r) => ({ ...r, households: r.households.join(', ') }),
  list: () => api('GET', '/api/users'),
  create: (b) => api('POST', '/api/users', b),
  update: (r, b) => api('PUT', `/api/users/${r.id}`, b),
  remove: (r) => api('DELETE', `/api/users/${r.id}`),
};

/** @type {EntitySpec<Responder>} */
const responders = {
  key: 'responders',
  title: 'entity.responders',
  columns: [
    ['field.id', (r) => r.id],
    ['field.name', (r) => r.name],
    ['field.kind', (r) => label('kind', r.kind)],
    ['field.phone', (r) => r.phone],
    ['field.grids', (r) => r.grids.join(', ')],
    ['field.station', (r) => r.stationId ?? '—'],
    ['field.userId', (r) => (r.userId === null ? '—' : String(r.userId))],
  ],
  fields: [
    { name: 'id', label: 'field.id', required: true, createOnly: true },
    { name: 'name', label: 'field.name', required: true },
    { name: 'kind', label: 'field.kind', required: true, options: KINDS, optionGroup: 'kind' },
    { name: 'phone', label: 'field.phone' },
    { name: 'grids', label: 'field.grids', type: 'list' },
    { name: 'stationId', label: 'field.station', nullable: true },
    { name: 'userId', label: 'field.userId', type: 'number', nullable: true },
  ],
  idOf: (r) => r.id,
  formValues: (r) => ({
    ...r,
    grids: r.grids.join(', '),
    stationId: r.stationId ?? '',
    userId: r.userId ?? '',
  }),
  list: () => api('GET', '/api/responders'),
  create: (b) => api('POST', '/api/responders', b),
  update: (r, b) => api('PUT', `/api/responders/${enc(r.id)}`, b),
  remove: (r) => api('DELETE', `/api/responders/${enc(r.id)}`),
};

/** @type {EntitySpec<Station>} */
const stations = {
  key: 'stations',
  title: 'entity.stations',
  columns: [
    ['field.id', (r) => r.id],
    ['field.name', (r) => r.name],
    ['field.location', (r) => (r.lat === null || r.lon === null ? '—' : formatCoordinates(r.lat, r.lon))],
  ],
  fields: [
    { name: 'id', label: 'field.id', required: true, createOnly: true },
    { name: 'name', label: 'field.name', required: true },
    { name: 'lat', label: 'field.lat', type: 'number', nullable: true },
    { name: 'lon', label: 'field.lon', type: 'number', nullable: true },
  ],
  idOf: (r) => r.id,
  formValues: (r) => ({ ...r, lat: r.lat ?? '', lon: r.lon ?? '' }),
  list: () => api('GET', '/api/stations'),
  create: (b) => api('POST', '/api/stations', b),
  update: (r, b) => api('PUT', `/api/stations/${enc(r.id)}`, b),
};

/** Every kind of record, in the order of the page's tabs. */
/** @type {Entity[]} */
export const ENTITIES = [
  entity(households),
  entity(residents),
  entity(contacts),
  entity(devices),
  entity(gateways),
  entity(users),
  entity(responders),
  entity(stations),
];
