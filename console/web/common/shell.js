// The frame every console page shares: who is logged in, the language switch, logout, the live status.
import { currentUser, HOME, logout } from './api.js';
import { h } from './dom.js';
import { applyI18n, lang, onLangChange, setLang, t, zoneName } from './i18n.js';
/** @import { Role, SessionUser } from '../api-types' */

/**
 * Checks the session and the role (others go to their own home page), then draws the header.
 * @param {Role[]} roles @param {string} titleKey
 * @returns {Promise<SessionUser>} the user
 */
export async function startPage(roles, titleKey) {
  const user = await currentUser();
  if (!user) {
    location.assign(`/?next=${encodeURIComponent(location.pathname)}`);
    throw new Error('not logged in');
  }
  if (!roles.includes(user.role)) {
    location.assign(HOME[user.role] ?? '/');
    throw new Error('wrong role');
  }
  let header = document.querySelector('header.shell');
  if (!header) {
    header = h('header', { class: 'shell' });
    document.body.prepend(header);
  }
  header.replaceChildren(
    h('h1', { 'data-i18n': titleKey }),
    h('span', {
      class: 'live-status',
      id: 'live-status',
      'data-state': 'connecting',
      'data-i18n': 'live.connecting',
    }),
    // every time on the page is on the households' clock, and says so
    h('span', { class: 'zone muted', id: 'zone' }, t('time.zone', { zone: zoneName() })),
    h('span', { class: 'who' }, user.displayName || user.username),
    h('button', {
      class: 'lang-switch',
      id: 'lang-switch',
      type: 'button',
      'data-i18n': 'lang.switch',
      onclick: () => setLang(lang() === 'zh' ? 'en' : 'zh'),
    }),
    h('button', { type: 'button', id: 'logout', 'data-i18n': 'nav.logout', onclick: () => logout() }),
  );
  applyI18n(document);
  onLangChange(() => {
    const zone = document.getElementById('zone');
    if (zone) zone.textContent = t('time.zone', { zone: zoneName() });
  });
  return user;
}

/** Shows the live channel's state in the header. @param {'connecting' | 'live' | 'offline'} state */
export function showLiveStatus(state) {
  const el = document.getElementById('live-status');
  if (!el) return;
  el.dataset.state = state;
  el.dataset.i18n = `live.${state}`;
  el.textContent = t(`live.${state}`);
}

/**
 * A short message at the bottom of the screen (errors of actions, confirmations).
 * @param {string} text @param {'info' | 'error'} [kind]
 */
export function toast(text, kind = 'info') {
  const box =
    document.getElementById('toasts') ??
    document.body.appendChild(h('div', { id: 'toasts', role: 'status' }));
  const item = h('div', { class: `toast ${kind}` }, text);
  box.append(item);
  setTimeout(() => item.remove(), 6000);
}
