// The incident's last 24 h as small uPlot charts (global `uPlot` from /vendor/uplot.js): movement by room,
// water use per hour, heart rate per hour. x in seconds (uPlot's unit), from the history API's hour rows.
import { h } from '../common/dom.js';
import { formatTime, formatZoned, t, zoneOffset } from '../common/i18n.js';
import { label } from './labels.js';

/** @import uPlot from 'uplot' */
/** @import { ActivityAnswer, VitalsAnswer, WaterAnswer } from '../api-types' */

const HOUR_MS = 3_600_000;
const COLOURS = ['#1f5fbf', '#2e7d32', '#b26a00', '#8e24aa', '#00838f', '#6d4c41', '#546e7a'];

/** Every hour start in [from, to), epoch ms. @param {number} from @param {number} to */
function hours(from, to) {
  const out = [];
  for (let at = Math.floor(from / HOUR_MS) * HOUR_MS; at < to; at += HOUR_MS) out.push(at);
  return out;
}

/** A chart's size in its panel: the panel's width, and a height that grows with it (a wall screen's). @param {HTMLElement} box */
function sizeIn(box) {
  const width = Math.max(260, Math.floor(box.clientWidth || 360) - 8);
  return { width, height: Math.round(Math.min(320, Math.max(130, width * 0.26))) };
}

/**
 * An x tick on the households' clock in the page's language: the hour, and the day at midnight.
 * @param {number} s epoch seconds
 */
function tick(s) {
  const ms = s * 1000;
  const midnight = (ms + zoneOffset() * 60_000) % 86_400_000 === 0;
  return midnight ? formatZoned(ms, 'day') : formatZoned(ms, 'clock');
}

/**
 * @param {HTMLElement} el @param {string} title @param {uPlot.Series[]} series
 * @param {uPlot.AlignedData} data @param {{ width: number, height: number }} size
 */
function plot(el, title, series, data, size) {
  // uPlot is the global of the vendored IIFE build (/vendor/uplot.js, loaded before this module)
  const UPlot = /** @type {typeof uPlot} */ (Reflect.get(globalThis, 'uPlot'));
  return new UPlot(
    {
      title,
      ...size,
      legend: { show: true, live: false },
      scales: { x: { time: true } },
      axes: [{ space: 60, values: (_u, splits) => splits.map(tick) }, { size: 40 }],
      series: [
        { label: t('chart.time'), value: (_u, v) => (v === null ? '—' : formatTime(v * 1000)) },
        ...series,
      ],
    },
    data,
    el,
  );
}

/** @type {WeakMap<HTMLElement, ResizeObserver>} one observer per chart box: the charts follow its width */
const observers = new WeakMap();

/**
 * The rows of a history answer: all the charts read of it.
 * @template {{ rows: unknown[] }} A
 * @typedef {Pick<A, 'rows'>} Rows
 */

/**
 * Draws the three charts into `box` (replacing what was there).
 * @param {HTMLElement} box
 * @param {{ activity: Rows<ActivityAnswer>, water: Rows<WaterAnswer>, vitals: Rows<VitalsAnswer> }} history
 *   answers of /history/activity|water|vitals (only their rows are read: `{ rows: [] }` when one failed)
 * @param {number} from @param {number} to epoch ms
 */
export function drawCharts(box, history, from, to) {
  observers.get(box)?.disconnect();
  box.replaceChildren();
  if (![history.activity, history.water, history.vitals].some((a) => a.rows.length > 0)) {
    box.append(h('p', { class: 'muted', id: 'charts-empty' }, t('chart.none')));
    return;
  }
  const size = sizeIn(box);
  /** @type {uPlot[]} */
  const plots = [];
  const xs = hours(from, to);
  const x = xs.map((ms) => ms / 1000);
  const index = new Map(xs.map((ms, k) => [ms, k]));

  const rooms = [...new Set(history.activity.rows.map((r) => r.room ?? 'other'))].sort();
  const motion = rooms.map(() => xs.map(() => 0));
  for (const r of history.activity.rows) {
    const k = index.get(r.hour);
    const counts = motion[rooms.indexOf(r.room ?? 'other')];
    if (k !== undefined && counts) counts[k] = (counts[k] ?? 0) + r.motions;
  }
  const activityEl = h('div', { class: 'chart', id: 'chart-activity' });
  box.append(activityEl);
  plots.push(
    plot(
      activityEl,
      t('chart.activity'),
      rooms.map((room, k) => ({
        label: label('room', room),
        stroke: COLOURS[k % COLOURS.length],
        width: 2,
      })),
      [x, ...motion],
      size,
    ),
  );

  /** @type {(number | null)[]} */
  const water = xs.map(() => null);
  for (const r of history.water.rows) {
    const k = index.get(r.start);
    if (k !== undefined) water[k] = r.liters;
  }
  const waterEl = h('div', { class: 'chart', id: 'chart-water' });
  box.append(waterEl);
  plots.push(
    plot(
      waterEl,
      t('chart.water'),
      [{ label: t('chart.liters'), stroke: '#00838f', fill: 'rgba(0,131,143,0.15)', width: 2 }],
      [x, water],
      size,
    ),
  );

  /** @type {(number | null)[]} */
  const heart = xs.map(() => null);
  for (const r of history.vitals.rows) {
    const k = index.get(r.hour);
    if (k !== undefined && r.heartRate) heart[k] = Math.round(r.heartRate.mean);
  }
  const vitalsEl = h('div', { class: 'chart', id: 'chart-vitals' });
  box.append(vitalsEl);
  plots.push(
    plot(
      vitalsEl,
      t('chart.heartRate'),
      [{ label: t('chart.bpm'), stroke: '#c62828', width: 2, spanGaps: false }],
      [x, heart],
      size,
    ),
  );
  // the panel resized (a window made larger, a wall screen): the charts fill it again
  const observer = new ResizeObserver(() => {
    const now = sizeIn(box);
    for (const p of plots) if (p.width !== now.width || p.height !== now.height) p.setSize(now);
  });
  observer.observe(box);
  observers.set(box, observer);
}
