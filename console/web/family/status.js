// The household at a glance: the big banner (all well / needs attention / alarm in progress), last
// movement against the hub's clock, the away period, devices' health in words, and who to call.
import { fill, h } from '../common/dom.js';
import { formatAgo, formatClock, formatTime, t } from '../common/i18n.js';

/** @import { Contact, DeviceState, HouseholdStatus } from '../api-types' */

const KNOWN_REASONS = ['hospital', 'visiting', 'other'];

/** "住院" for the codes the away form sends; any other text (a dispatcher's) as it is. @param {string} reason */
export function reasonText(reason) {
  return KNOWN_REASONS.includes(reason) ? t(`reason.${reason}`) : reason;
}

/** "卧室的人体感应器" / "bedroom motion sensor"; just the type without a room. @param {DeviceState} d */
function deviceName(d) {
  const device = t(`device.${d.type}`);
  const room = d.room ? t(`room.${d.room}`) : '';
  return room ? t('deviceName.room', { room, device }) : device;
}

/** One sentence per device problem, e.g. "The call button's battery is low". @param {DeviceState[]} devices */
export function healthSentences(devices) {
  const out = [];
  for (const d of devices) {
    for (const issue of d.issues) {
      const text = t(`issue.${issue}`, { device: deviceName(d) });
      out.push({ issue, text: text.charAt(0).toUpperCase() + text.slice(1) });
    }
  }
  return out;
}

/** @param {HTMLElement} el @param {HouseholdStatus} status @param {number} now hub clock, epoch ms */
export function renderStatus(el, status, now) {
  const names = status.residents.map((r) => r.name).join('、');
  const away = status.away;
  // the resident pressed cancel after the SOS: the centre still confirms, but no red "alarm in progress"
  const cancelledAt = status.state === 'alarm' ? (status.activeIncident?.residentCancelledAt ?? null) : null;
  const state = cancelledAt === null ? status.state : 'confirming';
  const words =
    cancelledAt === null
      ? t(`family.state.${status.state}`)
      : t(names ? 'family.state.cancelPressed' : 'family.state.cancelPressedNoName', {
          name: names,
          time: formatClock(cancelledAt),
        });
  fill(
    el,
    h(
      'div',
      { class: 'banner', id: 'status-banner', dataset: { state } },
      h('span', { class: 'banner-icon', 'aria-hidden': 'true' }, ICON[state] ?? ''),
      h('span', { id: 'status-text' }, words),
    ),
    h('p', { class: 'who-line' }, h('strong', null, names), ' · ', status.household.address),
    h(
      'p',
      { id: 'last-movement' },
      status.lastMovementAt === null
        ? t('family.lastMovement.none')
        : t('family.lastMovement', { ago: formatAgo(status.lastMovementAt, now) }),
    ),
    away?.declared
      ? h(
          'p',
          { id: 'away-status', class: 'away-note' },
          t('family.away', {
            reason: reasonText(away.declared.reason),
            until: formatTime(away.declared.until),
          }),
        )
      : null,
    away?.wristband ? h('p', { class: 'away-note' }, t('family.awayWristband')) : null,
  );
}

/** @type {Record<string, string>} */
const ICON = { well: '✓', attention: '!', alarm: '⚠', confirming: '…' };

/** @param {HTMLElement} el @param {DeviceState[]} devices */
export function renderHealth(el, devices) {
  const sentences = healthSentences(devices);
  if (sentences.length === 0) {
    fill(el, h('li', { class: 'ok' }, t('family.devices.ok')));
    return;
  }
  fill(
    el,
    sentences.map((s) => h('li', { class: 'issue', dataset: { issue: s.issue } }, s.text)),
  );
}

/** @param {HTMLElement} el @param {Contact[]} contacts */
export function renderContacts(el, contacts) {
  if (contacts.length === 0) {
    fill(el, h('li', { class: 'muted' }, t('common.none')));
    return;
  }
  fill(
    el,
    contacts.map((c) =>
      h(
        'li',
        null,
        h('span', { class: 'contact-name' }, c.name, c.relation ? ` (${c.relation})` : ''),
        h(
          'a',
          { class: 'call', href: `tel:${c.phone.replace(/[^\d+]/g, '')}` },
          `${t('family.call')} ${c.phone}`,
        ),
      ),
    ),
  );
}
