/** Types of dom.js's element builder (types only: a JSDoc typedef cannot refer to itself). */

/**
 * What h() and fill() take as children: nodes, text (numbers as text), lists of them; null, undefined
 * and false are left out (so `cond ? h(...) : null` and `cond && h(...)` read as expected).
 */
export type Child = Node | string | number | null | undefined | false | Child[];

type Tag = keyof HTMLElementTagNameMap;

/**
 * Event handlers of an element of tag K: `onclick`, `onchange` … with the event of that name, and
 * `currentTarget` the element itself (the handler is added to it).
 */
export type Handlers<K extends Tag> = {
  [E in keyof HTMLElementEventMap as `on${E}`]?: (
    ev: HTMLElementEventMap[E] & { currentTarget: HTMLElementTagNameMap[K] },
  ) => unknown;
};

/**
 * Attributes of h(): `class`, `dataset` (data-* by camelCase name), handlers, and any other attribute
 * (true: present and empty; null, undefined, false: absent; anything else as text).
 */
export type Attrs<K extends Tag> = Handlers<K> & {
  class?: string;
  dataset?: Record<string, string | undefined>;
  [attribute: string]: unknown;
};
