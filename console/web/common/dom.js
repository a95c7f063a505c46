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
    else if (key === 'title' || key === 'aria-label') el.setAttribute(key, isolate(String(value)));
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/**
 * Right-to-left letters and the bidi controls (embeddings, overrides such as U+202E, isolates, marks):
 * text with any of them could reorder what is shown around it.
 */
const BIDI = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
/** Elements whose content is plain text only: isolated with FSI … PDI instead of a <bdi>. */
const TEXT_ONLY = new Set(['OPTION', 'TEXTAREA', 'TITLE']);

/**
 * `text` in bidi isolation for a plain-text context (an option's label, a title): between U+2068 FIRST
 * STRONG ISOLATE and U+2069 POP DIRECTIONAL ISOLATE, which ends any override opened inside it. Text
 * without right-to-left letters or bidi controls is returned as it is.
 * @param {string} text
 */
export function isolate(text) {
  return BIDI.test(text) ? `\u2068${text}\u2069` : text;
}

/**
 * Appends children; a string that could reorder its surroundings (a person's name with U+202E …) goes
 * in a <bdi>, so it reads as written and cannot make the text around it read backwards.
 * @param {Element} el @param {Child[]} children
 */
function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.append(child);
    else {
      const text = String(child);
      if (!BIDI.test(text)) el.append(text);
      else if (TEXT_ONLY.has(el.tagName)) el.append(isolate(text));
      else {
        const bdi = document.createElement('bdi');
        bdi.textContent = text;
        el.append(bdi);
      }
    }
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
