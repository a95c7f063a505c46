// The login page: POST /api/auth/login sets the session cookie; then each role goes to its own page.
import { ApiError, api, currentUser, HOME } from './common/api.js';
import { $, $as } from './common/dom.js';
import { applyI18n, lang, setLang, t } from './common/i18n.js';

/** @import { LoginReply, Role } from './api-types' */

/**
 * Only a path of the hub itself may be the target after login (no open redirect): `next` is resolved
 * against the hub's origin the way the browser will resolve it (so `/\\evil.example/` or a tab inside
 * `//` cannot slip past a prefix check), and kept only when the origin is still the hub's.
 * @param {Role} role
 */
function nextPath(role) {
  const next = new URLSearchParams(location.search).get('next');
  if (next) {
    try {
      const target = new URL(next, location.origin);
      if (target.origin === location.origin) return target.pathname + target.search + target.hash;
    } catch {
      // not a URL at all: go home
    }
  }
  return HOME[role] ?? '/';
}

applyI18n(document);
$('#lang-switch').addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));

const already = await currentUser();
if (already) location.assign(nextPath(already.role));

const loginForm = $as('#login-form', HTMLFormElement);
loginForm.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const error = $('#login-error');
  error.textContent = '';
  const form = new FormData(loginForm);
  try {
    /** @type {LoginReply} */
    const answer = await api(
      'POST',
      '/api/auth/login',
      { username: String(form.get('username')), password: String(form.get('password')) },
      { noRedirect: true },
    );
    location.assign(nextPath(answer.user.role));
  } catch (err) {
    error.textContent =
      err instanceof ApiError && err.status === 429 ? t('login.rateLimited') : t('login.failed');
  }
});
