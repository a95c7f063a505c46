// Chinese by default, English on a switch (remembered per browser). Pages add their own messages;
// elements carry data-i18n="key" (text), data-i18n-placeholder, data-i18n-title, data-i18n-aria-label.

/** @type {Record<'zh' | 'en', Record<string, string>>} */
const messages = {
  zh: {
    'app.title': '居家养老安全平台',
    'lang.switch': 'English',
    'nav.logout': '退出',
    'live.connecting': '连接中…',
    'live.live': '实时',
    'live.offline': '已断开，正在重连',
    'login.title': '登录',
    'login.username': '用户名',
    'login.password': '密码',
    'login.submit': '登录',
    'login.failed': '用户名或密码错误',
    'login.rateLimited': '尝试次数过多，请稍后再试',
    'common.loading': '加载中…',
    'common.none': '无',
    'common.error': '操作失败：{message}',
    'common.save': '保存',
    'common.cancel': '取消',
    'common.close': '关闭',
    'common.minutes': '{n} 分钟',
    'common.ago': '{when}前',
    'time.justNow': '刚刚',
    'time.ms': '{n} 毫秒',
    'time.s': '{n} 秒',
    'time.m': '{n} 分',
    'time.h': '{n} 小时',
    'time.d': '{n} 天',
    'time.zone': '住户当地时间（{zone}）',
  },
  en: {
    'app.title': 'Elder-care safety hub',
    'lang.switch': '中文',
    'nav.logout': 'Log out',
    'live.connecting': 'Connecting…',
    'live.live': 'Live',
    'live.offline': 'Disconnected, reconnecting',
    'login.title': 'Log in',
    'login.username': 'User name',
    'login.password': 'Password',
    'login.submit': 'Log in',
    'login.failed': 'Wrong user name or password',
    'login.rateLimited': 'Too many attempts, try again later',
    'common.loading': 'Loading…',
    'common.none': 'None',
    'common.error': 'Failed: {message}',
    'common.save': 'Save',
    'common.cancel': 'Cancel',
    'common.close': 'Close',
    'common.minutes': '{n} min',
    'common.ago': '{when} ago',
    'time.justNow': 'just now',
    'time.ms': '{n} ms',
    'time.s': '{n} s',
    'time.m': '{n} min',
    'time.h': '{n} h',
    'time.d': '{n} d',
    'time.zone': "Household's local time ({zone})",
  },
};

const STORAGE_KEY = 'hub.lang';
/** @type {Array<() => void>} */
const listeners = [];

/** @returns {'zh' | 'en'} */
export function lang() {
  return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
}

/** @param {'zh' | 'en'} l */
export function setLang(l) {
  localStorage.setItem(STORAGE_KEY, l);
  applyI18n(document);
  for (const fn of listeners) fn();
}

/** Called after every language switch (pages re-render their dynamic parts). @param {() => void} fn */
export function onLangChange(fn) {
  listeners.push(fn);
}

/** @param {{ zh: Record<string, string>, en: Record<string, string> }} pageMessages */
export function addMessages(pageMessages) {
  Object.assign(messages.zh, pageMessages.zh);
  Object.assign(messages.en, pageMessages.en);
}

/**
 * The message of `key` in the current language, `{name}` replaced from vars. With `n` equal to 1, the
 * key's singular `key.one` where the language has one ("1 alarm"; Chinese needs none).
 * @param {string} key @param {Record<string, string | number>} [vars]
 */
export function t(key, vars = {}) {
  const one = vars.n === 1 || vars.n === '1' ? messages[lang()][`${key}.one`] : undefined;
  const text = one ?? messages[lang()][key] ?? messages.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, /** @type {string} */ name) =>
    name in vars ? String(vars[name]) : `{${name}}`,
  );
}

/**
 * A bilingual text from the API ({zh, en}) in the current language.
 * @param {{ zh?: string, en?: string } | null | undefined} text
 */
export function pick(text) {
  if (!text) return '';
  return text[lang()] ?? text.zh ?? '';
}

/** Translates the marked elements under root. @param {ParentNode} root */
export function applyI18n(root) {
  document.documentElement.lang = lang() === 'zh' ? 'zh-CN' : 'en';
  for (const el of root.querySelectorAll('[data-i18n]'))
    el.textContent = t(el.getAttribute('data-i18n') ?? '');
  for (const attr of ['placeholder', 'title', 'aria-label']) {
    for (const el of root.querySelectorAll(`[data-i18n-${attr}]`))
      el.setAttribute(attr, t(el.getAttribute(`data-i18n-${attr}`) ?? ''));
  }
}

/** A compact duration: 45 s, 12 min, 3 h, 2 d. @param {number} ms */
export function formatDuration(ms) {
  const s = Math.max(0, Math.round(Math.abs(ms) / 1000));
  if (s < 60) return t('time.s', { n: s });
  if (s < 3600) return t('time.m', { n: Math.floor(s / 60) });
  if (s < 86400) return t('time.h', { n: Math.floor(s / 3600) });
  return t('time.d', { n: Math.floor(s / 86400) });
}

/**
 * A measured latency (the alarm path's hops): ms below a second, seconds to a tenth below a minute, then
 * minutes and seconds. @param {number} ms
 */
export function formatLatency(ms) {
  if (ms < 1000) return t('time.ms', { n: Math.round(ms) });
  if (ms < 60_000) return t('time.s', { n: (ms / 1000).toFixed(1) });
  const s = Math.round(ms / 1000);
  return `${t('time.m', { n: Math.floor(s / 60) })} ${t('time.s', { n: s % 60 })}`;
}

/** mm:ss (or h:mm:ss) for countdowns; negative values get a minus sign. @param {number} ms */
export function formatCountdown(ms) {
  const sign = ms < 0 ? '−' : '';
  const total = Math.floor(Math.abs(ms) / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = String(m).padStart(2, '0');
  const ss = String(s).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${mm}:${ss}` : `${sign}${mm}:${ss}`;
}

/**
 * The households' clock: minutes east of UTC (the hub's historyUtcOffsetMinutes, from the live hello
 * frame; China's until it is known). Every time a page shows is on it, whatever the browser's time zone.
 */
let zoneOffsetMinutes = 480;

/** @param {number} minutes east of UTC */
export function setZoneOffset(minutes) {
  if (minutes === zoneOffsetMinutes) return;
  zoneOffsetMinutes = minutes;
  for (const fn of listeners) fn();
}

export function zoneOffset() {
  return zoneOffsetMinutes;
}

/** "UTC+8", "UTC−5:30": the households' clock as the pages label it. */
export function zoneName() {
  const m = Math.abs(zoneOffsetMinutes);
  const sign = zoneOffsetMinutes < 0 ? '−' : '+';
  return `UTC${sign}${Math.floor(m / 60)}${m % 60 ? `:${String(m % 60).padStart(2, '0')}` : ''}`;
}

/** @type {Map<string, Intl.DateTimeFormat>} one formatter per language and form (they are costly to build) */
const formats = new Map();

/**
 * An epoch ms on the households' clock, in the page's language: the instant shifted by the offset and
 * formatted as UTC, so the browser's own zone never enters.
 * @param {number} ms @param {'time' | 'clock' | 'day'} form
 */
export function formatZoned(ms, form) {
  const key = `${lang()}:${form}`;
  let format = formats.get(key);
  if (!format) {
    /** @type {Record<string, Intl.DateTimeFormatOptions>} */
    const forms = {
      time: { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' },
      clock: { hour: '2-digit', minute: '2-digit' },
      day: { month: 'short', day: 'numeric' },
    };
    format = new Intl.DateTimeFormat(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
      ...forms[form],
      hourCycle: 'h23',
      timeZone: 'UTC',
    });
    formats.set(key, format);
  }
  return format.format(ms + zoneOffsetMinutes * 60_000);
}

/** Date and time of an epoch ms on the households' clock. @param {number | null | undefined} ms */
export function formatTime(ms) {
  if (ms === null || ms === undefined) return '—';
  return formatZoned(ms, 'time');
}

/** WGS84 degrees to 5 decimals (about a metre): "31.23040, 121.47370". @param {number} lat @param {number} lon */
export function formatCoordinates(lat, lon) {
  return `${lat.toFixed(5)}, ${lon.toFixed(5)}`;
}

/** Hour and minute of an epoch ms on the households' clock ("00:14"). @param {number | null | undefined} ms */
export function formatClock(ms) {
  if (ms === null || ms === undefined) return '—';
  return formatZoned(ms, 'clock');
}

/**
 * "5 min ago" against a reference time (the hub's clock).
 * @param {number | null | undefined} ms @param {number} now
 */
export function formatAgo(ms, now) {
  if (ms === null || ms === undefined) return '—';
  if (now - ms < 5000) return t('time.justNow');
  return t('common.ago', { when: formatDuration(now - ms) });
}
