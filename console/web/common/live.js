// The live channel client (/api/live): reconnects with backoff, keeps the hub's clock, and resynchronises
// after every (re)connect: events that arrive while the page reloads its state from the REST API are held
// and applied after it, so nothing raised during a network drop is missing.
import { toLogin } from './api.js';
import { setZoneOffset } from './i18n.js';

/** @import { EventFrame, HelloFrame, LiveEventData } from '../api-types' */

/**
 * An event frame as the pages read it: `data` is the event's payload (api-types.d.ts LiveEventData).
 * @typedef {Omit<EventFrame, 'data'> & { data?: LiveEventData }} LiveEvent
 */

const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;

export class Live {
  /**
   * @param {{
   *   resync: (hello: HelloFrame) => Promise<void>,
   *   onEvent: (frame: LiveEvent) => void,
   *   onStatus?: (status: 'connecting' | 'live' | 'offline') => void,
   *   onTime?: (serverNow: number) => void,
   * }} handlers
   */
  constructor(handlers) {
    this.handlers = handlers;
    /** hub clock − browser clock, ms */
    this.offset = 0;
    this.backoff = MIN_BACKOFF_MS;
    /** @type {WebSocket | null} */
    this.ws = null;
    this.stopped = false;
    /** @type {LiveEvent[] | null} events held while a resync runs */
    this.held = null;
    /** @type {HelloFrame | null} */
    this.hello = null;
  }

  /** The hub's clock now, epoch ms (countdowns use this, never the browser's clock alone). */
  serverNow() {
    return Date.now() + this.offset;
  }

  start() {
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    this.ws?.close();
  }

  connect() {
    this.handlers.onStatus?.('connecting');
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${scheme}://${location.host}/api/live`);
    this.ws = ws;
    ws.onmessage = (msg) => this.onFrame(JSON.parse(msg.data));
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.handlers.onStatus?.('offline');
      if (ev.code === 4001) {
        toLogin();
        return;
      }
      if (this.stopped) return;
      const wait = this.backoff * (0.75 + Math.random() * 0.5);
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
      setTimeout(() => this.connect(), wait);
    };
  }

  /**
   * A frame of the hub (console/live/protocol.ts ServerFrame; hello and event frames are acted on).
   * @param {{ type?: string, serverTime?: unknown }} frame
   */
  onFrame(frame) {
    if (typeof frame.serverTime === 'number') {
      this.offset = frame.serverTime - Date.now();
      this.handlers.onTime?.(frame.serverTime);
    }
    if (frame.type === 'hello') {
      const hello = /** @type {HelloFrame} */ (frame);
      this.hello = hello;
      // the households' clock: every time the page shows is on it
      if (typeof hello.utcOffsetMinutes === 'number') setZoneOffset(hello.utcOffsetMinutes);
      this.backoff = MIN_BACKOFF_MS;
      this.held = [];
      this.handlers
        .resync(hello)
        .catch((err) => console.error('resync failed', err))
        .finally(() => {
          /** @type {LiveEvent[]} */
          const held = this.held ?? [];
          this.held = null;
          for (const f of held) this.handlers.onEvent(f);
          this.handlers.onStatus?.('live');
        });
      return;
    }
    if (frame.type !== 'event') return;
    const event = /** @type {LiveEvent} */ (frame);
    if (this.held) this.held.push(event);
    else this.handlers.onEvent(event);
  }
}
