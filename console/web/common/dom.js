// Tiny DOM helpers: build elements without innerHTML (no markup injection from data).

/** @import { Attrs, Child } from './dom-types' */

/**
 * h('div', { class: 'x', onclick: fn, dataset: {...} }, 'text', child, [children])
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag @param {Attrs<K> | null} [attrs] @param {...Child} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function')
      el.addEventListener(key.slice(2), /** @type {EventListener} */ (value));
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'class') el.className = String(value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/** @param {Element} el @param {Child[]} children */
function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/**
 * Replaces the children of el.
 * @template {Element} E
 * @param {E} el @param {...Child} children
 * @returns {E}
 */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/**
 * The element of `selector` (the page's own markup: a missing one is a bug, thrown at once).
 * @param {string} selector @param {ParentNode} [root]
 * @returns {HTMLElement}
 */
export function $(selector, root = document) {
  const el = root.querySelector(selector);
  if (!(el instanceof HTMLElement)) throw new Error(`missing element ${selector}`);
  return el;
}

/**
 * The element of `selector`, checked to be of the given class (e.g. HTMLSelectElement).
 * @template {HTMLElement} E
 * @param {string} selector @param {new () => E} type @param {ParentNode} [root]
 * @returns {E}
 */
export function $as(selector, type, root = document) {
  const el = root.querySelector(selector);
  if (!(el instanceof type)) throw new Error(`missing ${type.name} ${selector}`);
  return el;
}
