// The administrator page's Zigbee pairing tab: the Zigbee devices the gateways' Zigbee2MQTT announced
// (bridge/devices, bridge/event) that the hub has not provisioned, each provisioned in one step with its
// id, type, room and resident (POST /api/gateways/{id}/zigbee-devices/provision).
import { api, messageOf } from '../common/api.js';
import { fill, h, isolate } from '../common/dom.js';
import { t } from '../common/i18n.js';
import { toast } from '../common/shell.js';
import { label } from '../dispatch/labels.js';

/** @import { PendingZigbeeDevice, Resident, ZigbeeProvisioned } from '../api-types' */

const enc = encodeURIComponent;
const ROOMS = ['', 'bedroom', 'bathroom', 'kitchen', 'living', 'entrance', 'other'];
const DEVICE_TYPES = ['button', 'wristband', 'motion', 'leak', 'water_meter'];

/** A hub id for a new Zigbee device, from its IEEE address; the admin may type another. @param {PendingZigbeeDevice} p */
const suggestedId = (p) => `z-${p.suggestedType ?? 'dev'}-${p.ieeeAddress.slice(-6)}`;

/**
 * @param {string} name @param {string[]} options @param {string} selected
 * @param {(option: string) => string} text the option's words
 */
function select(name, options, selected, text) {
  return h(
    'select',
    { name },
    options.map((o) => h('option', { value: o, selected: o === selected }, text(o))),
  );
}

/**
 * One pending device: what Zigbee2MQTT said about it, and the controls that provision it.
 * @param {PendingZigbeeDevice} p @param {Resident[]} residents its household's
 * @param {() => Promise<void>} redraw
 */
function row(p, residents, redraw) {
  const id = h('input', { name: 'id', type: 'text', value: suggestedId(p), autocomplete: 'off', size: '16' });
  const type = select('type', DEVICE_TYPES, p.suggestedType ?? 'motion', (o) => label('device', o));
  const room = select('room', ROOMS, '', (o) => (o === '' ? '—' : label('room', o)));
  const resident = select('resident', ['', ...residents.map((r) => r.id)], '', (o) =>
    o === '' ? '—' : `${isolate(residents.find((r) => r.id === o)?.name ?? '')} (${o})`,
  );
  const provision = h(
    'button',
    {
      type: 'button',
      class: 'primary',
      'data-provision': p.ieeeAddress,
      onclick: async () => {
        /** @type {Record<string, string>} */
        const body = { friendlyName: p.friendlyName, id: id.value.trim(), type: type.value };
        if (room.value) body.room = room.value;
        if (resident.value) body.residentId = resident.value;
        try {
          /** @type {ZigbeeProvisioned} */
          const answer = await api(
            'POST',
            `/api/gateways/${enc(p.gatewayId)}/zigbee-devices/provision`,
            body,
          );
          toast(t('pairing.provisioned', { id: answer.device.id, n: answer.resolvedQuarantine }));
          await redraw();
        } catch (err) {
          toast(t('common.error', { message: messageOf(err) }), 'error');
        }
      },
    },
    t('pairing.provision'),
  );
  const what = [p.vendor, p.model].filter(Boolean).join(' ') || t('pairing.unknownModel');
  return h(
    'tr',
    { 'data-ieee': p.ieeeAddress, 'data-name': p.friendlyName },
    h('td', {}, p.gatewayId, h('div', { class: 'muted' }, p.householdId)),
    h('td', {}, h('code', {}, p.friendlyName), h('div', { class: 'muted' }, p.ieeeAddress)),
    h('td', {}, what, p.description ? h('div', { class: 'muted' }, p.description) : null),
    h('td', {}, p.interview ? t(`pairing.interview.${p.interview}`) : '—'),
    h('td', { class: 'num' }, String(p.quarantined)),
    h('td', {}, h('div', { class: 'pairing-controls' }, id, type, room, resident, provision)),
  );
}

/** Draws the tab into `box`; redraws itself after each provisioning. @param {HTMLElement} box */
export async function showPairing(box) {
  const draw = async () => {
    /** @type {PendingZigbeeDevice[]} */
    const pending = await api('GET', '/api/zigbee-devices');
    const households = [...new Set(pending.map((p) => p.householdId))];
    /** @type {Map<string, Resident[]>} household id → its residents */
    const residentsOf = new Map(
      await Promise.all(
        households.map(
          async (hh) =>
            /** @type {[string, Resident[]]} */ ([
              hh,
              await api('GET', `/api/households/${enc(hh)}/residents`),
            ]),
        ),
      ),
    );
    const head = [
      'pairing.gateway',
      'pairing.name',
      'pairing.model',
      'pairing.interview',
      'pairing.quarantined',
      'pairing.as',
    ];
    fill(
      box,
      h(
        'section',
        { class: 'panel pairing' },
        h('h3', {}, t('entity.zigbee'), ` (${pending.length})`),
        h('p', { class: 'muted' }, t('pairing.hint')),
        pending.length
          ? h(
              'table',
              { id: 'zigbee-table', class: 'entity-table' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  head.map((k) => h('th', {}, t(k))),
                ),
              ),
              h(
                'tbody',
                {},
                pending.map((p) => row(p, residentsOf.get(p.householdId) ?? [], draw)),
              ),
            )
          : h('p', { class: 'muted', id: 'zigbee-none' }, t('pairing.none')),
      ),
    );
  };
  await draw();
}
