// The supervisor's screen: today's SLA figures, incidents at risk, breaches, the alarm path's p50/p99 per
// hop, incidents per grid, and the fleet's health. Reloaded from the REST API on every (re)connect and, shortly after, on live events.
import { api } from '../common/api.js';
import { $, fill, h } from '../common/dom.js';
import {
  addMessages,
  formatAgo,
  formatCountdown,
  formatDuration,
  formatLatency,
  formatTime,
  onLangChange,
  t,
} from '../common/i18n.js';
import { Live } from '../common/live.js';
import { showLiveStatus, startPage } from '../common/shell.js';
import { level, nextDeadline } from '../dispatch/deadline.js';
import { label } from '../dispatch/labels.js';
import { setUpExports } from './exports.js';

/** @import { Fleet, Household, Incident, IncidentSummary, SlaReport } from '../api-types' */
/** @import { Child } from '../common/dom-types' */

addMessages({
  zh: {
    'sup.title': '值班主管',
    'sup.today': '今日服务指标',
    'sup.fleet': '设备与数据健康',
    'sup.atRisk': '即将超时或已超时的警情',
    'sup.residentCancelled': '住户已按取消，仍待确认',
    'sup.breaches': '今日超时记录',
    'sup.perGrid': '各网格警情',
    'sup.alarmPath': '报警链路 p50/p99（今日紧急警情）',
    'sup.unprotected': '失去保护的老人',
    'sup.offline': '离线或失联的设备',
    'sup.batteryLow': '电量低的设备',
    'kpi.incidents': '今日警情',
    'kpi.emergencies': '紧急警情',
    'kpi.ack': '60 秒内接警',
    'kpi.onSite': '15 分钟内到场',
    'kpi.medianAck': '接警用时中位数',
    'kpi.breaches': '超时',
    'kpi.open': '处理中',
    'kpi.atRisk': '即将超时',
    'kpi.offline': '离线/失联设备',
    'kpi.neverConnected': '从未连接',
    'kpi.batteryLow': '电量低',
    'kpi.unprotected': '失去保护',
    'kpi.quarantine': '24 小时隔离消息',
    'kpi.deadLetter': '写入失败的遥测',
    'col.incident': '警情',
    'col.household': '住户',
    'col.next': '下一时限',
    'col.state': '状态',
    'col.stage': '环节',
    'col.late': '超时',
    'col.reason': '原因',
    'col.grid': '网格',
    'col.today': '今日',
    'col.open': '处理中',
    'col.device': '设备',
    'col.since': '自',
    'col.battery': '电量',
    'col.lastSeen': '最近上报',
    'col.hop': '环节',
    'col.measured': '次数',
    'col.p50': 'p50',
    'col.p99': 'p99',
    'path.whole': '全程',
    'breach.late': '{stage}：超出时限 {by} 完成',
    'breach.missed': '{stage}：未完成，已超出时限 {by}',
    'reason.lifeline_silent': '呼叫设备失联',
    'reason.wristband_removed': '手环已摘下',
    'state.silent': '失联',
    'state.offline': '离线',
  },
  en: {
    'sup.title': 'Supervisor',
    'sup.today': "Today's service figures",
    'sup.fleet': 'Devices and data health',
    'sup.atRisk': 'Incidents at risk or overdue',
    'sup.residentCancelled': 'cancelled by resident — still to be confirmed',
    'sup.breaches': "Today's breaches",
    'sup.perGrid': 'Incidents per grid',
    'sup.alarmPath': 'Alarm path p50/p99 today (emergencies)',
    'sup.unprotected': 'Residents unprotected',
    'sup.offline': 'Devices offline or silent',
    'sup.batteryLow': 'Batteries low',
    'kpi.incidents': 'Incidents today',
    'kpi.emergencies': 'Emergencies',
    'kpi.ack': 'Acknowledged ≤ 60 s',
    'kpi.onSite': 'On site ≤ 15 min',
    'kpi.medianAck': 'Median to acknowledge',
    'kpi.breaches': 'Breaches',
    'kpi.open': 'Open now',
    'kpi.atRisk': 'At risk',
    'kpi.offline': 'Offline / silent',
    'kpi.neverConnected': 'Never connected',
    'kpi.batteryLow': 'Battery low',
    'kpi.unprotected': 'Unprotected',
    'kpi.quarantine': 'Quarantined (24 h)',
    'kpi.deadLetter': 'Dead-lettered telemetry',
    'col.incident': 'Incident',
    'col.household': 'Household',
    'col.next': 'Next deadline',
    'col.state': 'State',
    'col.stage': 'Stage',
    'col.late': 'Late by',
    'col.reason': 'Reason',
    'col.grid': 'Grid',
    'col.today': 'Today',
    'col.open': 'Open',
    'col.device': 'Device',
    'col.since': 'Since',
    'col.battery': 'Battery',
    'col.lastSeen': 'Last seen',
    'col.hop': 'Hop',
    'col.measured': 'Measured',
    'col.p50': 'p50',
    'col.p99': 'p99',
    'path.whole': 'whole path',
    'breach.late': '{stage}: reached {by} after its deadline',
    'breach.missed': '{stage}: not reached, {by} past its deadline',
    'reason.lifeline_silent': 'call device silent',
    'reason.wristband_removed': 'wristband taken off',
    'state.silent': 'silent',
    'state.offline': 'offline',
  },
});

await startPage(['supervisor', 'admin'], 'sup.title');

const DAY_MS = 86_400_000;
/** "At risk": the next deadline is this close, or passed. */
const AT_RISK_MS = 2 * 60_000;

/** The hub's day boundary offset (from the report's answer; China Standard Time until it is known). */
let utcOffsetMinutes = 480;
/**
 * What the page shows: the SLA report of today, the open incidents (REST list, then live events),
 * the fleet's health, and each household's grid.
 * @type {{ report: SlaReport | null, active: IncidentSummary[], fleet: Fleet | null, grids: Map<string, string> }}
 */
const data = { report: null, active: [], fleet: null, grids: new Map() };
/** @type {Live} */
let live;
const now = () => live.serverNow();

/** @param {number} at epoch ms */
function localMidnight(at) {
  const off = utcOffsetMinutes * 60_000;
  return Math.floor((at + off) / DAY_MS) * DAY_MS - off;
}

async function load() {
  const at = Math.floor(now());
  /** @returns {Promise<SlaReport>} */
  const sla = async () => {
    /** @type {SlaReport} */
    const report = await api('GET', `/api/reports/sla?from=${localMidnight(at)}&to=${at + 1}`);
    if (report.utcOffsetMinutes === utcOffsetMinutes) return report;
    utcOffsetMinutes = report.utcOffsetMinutes;
    return api('GET', `/api/reports/sla?from=${localMidnight(at)}&to=${at + 1}`);
  };
  const [report, active, fleet, households] = await Promise.all([
    sla(),
    /** @type {Promise<Incident[]>} */ (api('GET', '/api/incidents?active=true&limit=1000')),
    /** @type {Promise<Fleet>} */ (api('GET', '/api/fleet')),
    /** @type {Promise<Household[]>} */ (api('GET', '/api/households')),
  ]);
  Object.assign(data, { report, active, fleet, grids: new Map(households.map((hh) => [hh.id, hh.grid])) });
  render();
}

/** @type {ReturnType<typeof setTimeout> | undefined} */
let reloadTimer;
/** Events come in bursts (one action: several events): reload once, a moment later. */
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => load().catch((err) => console.error(err)), 800);
}

/** @typedef {SlaReport['total']['acknowledgedWithin60s']} Share */
/** @param {Share} s */
const share = (s) => (s.share === null ? '—' : `${Math.round(s.share * 100)}%`);
/** @param {string} id @param {string} name message key @param {string | number} value @param {string} [tone] */
const tile = (id, name, value, tone) =>
  h(
    'div',
    { class: 'tile', id, 'data-tone': tone ?? '' },
    h('span', { class: 'value' }, String(value)),
    h('span', { class: 'name' }, t(name)),
  );
/** @param {string} id @param {string[]} heads message keys @param {Child[]} rows */
const table = (id, heads, rows) =>
  rows.length === 0
    ? h('p', { class: 'muted', id: `${id}-none` }, t('common.none'))
    : h(
        'table',
        { id: `${id}-table` },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            heads.map((k) => h('th', {}, t(k))),
          ),
        ),
        h('tbody', {}, rows),
      );

/** @typedef {NonNullable<SlaReport['alarmPath']>['whole']} HopFigures */
/** @param {number | null} ms */
const latency = (ms) => (ms === null ? '—' : formatLatency(ms));
/**
 * One hop of the alarm path, or the whole of it: from → to, how many measured it, p50, p99.
 * @param {HopFigures} f @param {boolean} [whole]
 */
const hopRow = (f, whole = false) =>
  h(
    'tr',
    { 'data-hop': f.hop },
    h(
      'td',
      {},
      `${label('point', f.from)} → ${label('point', f.to)}`,
      whole ? h('span', { class: 'muted' }, ` (${t('path.whole')})`) : null,
    ),
    h('td', { class: 'num count' }, String(f.count)),
    h('td', { class: 'num p50' }, latency(f.p50Ms)),
    h('td', { class: 'num p99' }, latency(f.p99Ms)),
  );

/** The open incidents whose next deadline is near or passed, soonest first. @param {number} at hub clock */
function atRisk(at) {
  return data.active
    .flatMap((i) => {
      const next = nextDeadline(i);
      return next && next.dueAt - at <= AT_RISK_MS ? [{ i, next }] : [];
    })
    .sort((a, b) => a.next.dueAt - b.next.dueAt);
}

function render() {
  const { report, fleet } = data;
  if (!report || !fleet) return;
  const at = now();
  const total = report.total;
  const risky = atRisk(at);
  /** @param {Share} s */
  const tone = (s) => (s.share === null ? '' : s.share >= 0.95 ? 'good' : 'bad');
  fill(
    $('#sla-tiles'),
    tile('kpi-incidents', 'kpi.incidents', total.incidents),
    tile('kpi-emergencies', 'kpi.emergencies', total.emergencies),
    tile('kpi-ack', 'kpi.ack', share(total.acknowledgedWithin60s), tone(total.acknowledgedWithin60s)),
    tile('kpi-on-site', 'kpi.onSite', share(total.onSiteWithin15min), tone(total.onSiteWithin15min)),
    tile(
      'kpi-median-ack',
      'kpi.medianAck',
      total.stages.acknowledge.medianMs === null ? '—' : formatDuration(total.stages.acknowledge.medianMs),
    ),
    tile('kpi-breaches', 'kpi.breaches', total.breaches, total.breaches > 0 ? 'bad' : 'good'),
    tile('kpi-open', 'kpi.open', data.active.length),
    tile('kpi-at-risk', 'kpi.atRisk', risky.length, risky.length > 0 ? 'bad' : 'good'),
  );
  const c = fleet.counts;
  /** @param {number} n */
  const bad = (n) => (n > 0 ? 'bad' : 'good');
  fill(
    $('#fleet-tiles'),
    tile('kpi-offline', 'kpi.offline', c.offline, bad(c.offline)),
    tile('kpi-never', 'kpi.neverConnected', c.neverConnected),
    tile('kpi-battery', 'kpi.batteryLow', c.batteryLow, bad(c.batteryLow)),
    tile('kpi-unprotected', 'kpi.unprotected', c.unprotected, bad(c.unprotected)),
    tile('kpi-quarantine', 'kpi.quarantine', c.quarantine24h, bad(c.quarantine24h)),
    tile('kpi-dead-letter', 'kpi.deadLetter', c.deadLetter, bad(c.deadLetter)),
  );
  renderAtRisk(at);
  fill(
    $('#breaches'),
    table(
      'breaches',
      ['col.incident', 'col.household', 'col.stage', 'col.late', 'col.reason'],
      report.breaches.map((b) =>
        h(
          'tr',
          { 'data-incident-id': b.incidentId },
          h('td', {}, label('class', b.class)),
          h('td', {}, b.householdId),
          h('td', {}, label('stage', b.stage)),
          h('td', {}, formatDuration(b.lateByMs)),
          // in words from the breach's fields (its `reason` is the report's English, for exports and logs)
          h(
            'td',
            {},
            t(b.doneAt === null ? 'breach.missed' : 'breach.late', {
              stage: label('stage', b.stage),
              by: formatDuration(b.lateByMs),
            }),
          ),
        ),
      ),
    ),
  );
  const path = report.alarmPath;
  fill(
    $('#alarm-path'),
    table(
      'alarm-path',
      ['col.hop', 'col.measured', 'col.p50', 'col.p99'],
      path ? [...path.hops.map((f) => hopRow(f)), hopRow(path.whole, true)] : [],
    ),
  );
  /** @type {Map<string, number>} */
  const openPerGrid = new Map();
  for (const i of data.active) {
    const grid = data.grids.get(i.householdId) ?? '—';
    openPerGrid.set(grid, (openPerGrid.get(grid) ?? 0) + 1);
  }
  /** @type {Map<string, SlaReport['byGrid'][number] | null>} */
  const grids = new Map(report.byGrid.map((g) => [g.grid ?? '—', g]));
  for (const grid of openPerGrid.keys()) if (!grids.has(grid)) grids.set(grid, null);
  fill(
    $('#per-grid'),
    table(
      'per-grid',
      ['col.grid', 'col.today', 'kpi.emergencies', 'kpi.breaches', 'col.open'],
      [...grids.entries()]
        .sort(([a], [b]) => String(a).localeCompare(String(b)))
        .map(([grid, g]) =>
          h(
            'tr',
            { 'data-grid': grid },
            h('td', {}, grid),
            h('td', {}, String(g?.incidents ?? 0)),
            h('td', {}, String(g?.emergencies ?? 0)),
            h('td', {}, String(g?.breaches ?? 0)),
            h('td', {}, String(openPerGrid.get(grid) ?? 0)),
          ),
        ),
    ),
  );
  fill(
    $('#unprotected'),
    table(
      'unprotected',
      ['col.household', 'col.device', 'col.reason', 'col.since'],
      fleet.unprotected.map((u) =>
        h(
          'tr',
          { 'data-device-id': u.deviceId ?? '' },
          h('td', {}, u.householdId),
          h('td', {}, u.deviceId ?? '—'),
          h('td', {}, t(`reason.${u.reason}`)),
          h('td', {}, formatAgo(u.since, at)),
        ),
      ),
    ),
  );
  fill(
    $('#offline'),
    table(
      'offline',
      ['col.device', 'col.household', 'col.state', 'col.lastSeen'],
      fleet.offline.map((o) =>
        h(
          'tr',
          { 'data-device-id': o.clientId },
          h('td', {}, o.type ? `${label('device', o.type)} ${o.clientId}` : o.clientId),
          h('td', {}, o.householdId ?? '—'),
          h('td', {}, t(`state.${o.state}`)),
          h('td', {}, formatAgo(o.lastSeenAt, at)),
        ),
      ),
    ),
  );
  fill(
    $('#battery-low'),
    table(
      'battery-low',
      ['col.device', 'col.household', 'col.battery', 'col.since'],
      fleet.batteryLow.map((b) =>
        h(
          'tr',
          { 'data-device-id': b.deviceId ?? '' },
          h('td', {}, b.deviceId ?? '—'),
          h('td', {}, b.householdId),
          h('td', {}, b.battery === null ? '—' : `${b.battery}%`),
          h('td', {}, formatTime(b.since)),
        ),
      ),
    ),
  );
}

/** The at-risk list with live countdowns (re-drawn each second: a handful of rows). @param {number} at */
function renderAtRisk(at) {
  const risky = atRisk(at);
  const count = document.querySelector('#kpi-at-risk .value');
  if (count) count.textContent = String(risky.length);
  fill(
    $('#at-risk'),
    table(
      'at-risk',
      ['col.incident', 'col.household', 'col.state', 'col.next'],
      risky.map(({ i, next }) =>
        h(
          'tr',
          { 'data-incident-id': i.id },
          h('td', {}, h('span', { class: `badge ${i.class}` }, label('alarm', i.alarmType))),
          h('td', {}, `${i.householdId} · ${data.grids.get(i.householdId) ?? ''}`),
          h(
            'td',
            {},
            label('state', i.state),
            // the resident pressed cancel: still open until a person confirms (the queue says the same)
            i.residentCancelledAt
              ? h('span', { class: 'resident-cancelled' }, ` · ${t('sup.residentCancelled')}`)
              : null,
          ),
          h(
            'td',
            {},
            h('span', { class: 'muted' }, `${label('stage', next.stage)} `),
            h(
              'span',
              { class: 'countdown', 'data-level': level(i.openedAt, next.dueAt, at) },
              formatCountdown(next.dueAt - at),
            ),
          ),
        ),
      ),
    ),
  );
}

live = new Live({
  resync: load,
  onEvent(frame) {
    const incident = frame.data?.incident;
    if (incident) {
      // the at-risk list follows at once; the figures with the reload
      data.active = data.active.filter((i) => i.id !== incident.id);
      if (!['resolved', 'cancelled'].includes(incident.state)) data.active.push(incident);
      renderAtRisk(now());
    }
    reloadSoon();
  },
  onStatus: showLiveStatus,
});
onLangChange(render);
setInterval(() => data.report && renderAtRisk(now()), 1000);
setUpExports();
live.start();
