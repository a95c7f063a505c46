import { type RawData, WebSocket } from 'ws';
import type { Clock, TimerHandle } from '../../kernel/clock.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { SessionUser } from '../auth/guard.ts';
import type { Forward, Viewer } from './allowlist.ts';
import { type FrameLane, FrameLanes } from './frame-lanes.ts';
import { CLOSE, type ServerFrame } from './protocol.ts';

/** Frames a console may send per second (pings); above it the socket closes with 4008. */
const MAX_FRAMES_PER_SECOND = 20;
/** Frames that overtake queued routine frames (see frame-lanes.ts): incidents and alarms. */
const URGENT_EVENT = /^(incident|alarm|job)/;
/** ms a closing socket that does not finish its close handshake is given before it is cut. */
const CLOSE_GRACE_MS = 2000;

export interface LiveConnectionOptions {
  ws: WebSocket;
  token: string;
  user: SessionUser;
  viewer: Viewer;
  clock: Clock;
  maxBufferedBytes: number;
  onSlow(): void;
  onClose(): void;
  log: Logger;
}

/**
 * One console on the live channel: sends frames unless it has fallen behind (then it is closed with
 * 1013 and resynchronises when it reconnects), answers pings, and closes when its session ends
 * (a timer on the hub's clock at the session's expiry).
 */
export class LiveConnection {
  readonly token: string;
  readonly viewer: Viewer;
  readonly #ws: WebSocket;
  readonly #user: SessionUser;
  readonly #clock: Clock;
  readonly #opts: LiveConnectionOptions;
  readonly #lastActivity = new Map<string, number>();
  #expiry: TimerHandle | null = null;
  #frames = 0;
  #frameWindowStart = Date.now();
  #ending = false;
  readonly #lanes: FrameLanes;

  constructor(opts: LiveConnectionOptions) {
    this.#opts = opts;
    this.#ws = opts.ws;
    this.#lanes = new FrameLanes({
      write: (frame, written) => {
        if (this.#ws.readyState !== WebSocket.OPEN) return written();
        this.#ws.send(frame, () => written());
      },
    });
    this.token = opts.token;
    this.#user = opts.user;
    this.viewer = opts.viewer;
    this.#clock = opts.clock;
    this.#expiry = this.#clock.setTimeout(
      () => this.end(CLOSE.sessionEnded, 'session expired'),
      Math.max(0, opts.user.expiresAt - this.#clock.now()),
    );
    this.#ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    this.#ws.on('close', () => this.#closed());
    this.#ws.on('error', (err) => opts.log.debug({ err }, 'live: socket error'));
  }

  hello(events: string[], utcOffsetMinutes: number): void {
    const u = this.#user;
    this.#send({
      type: 'hello',
      serverTime: this.#clock.now(),
      user: {
        id: u.id,
        username: u.username,
        role: u.role,
        displayName: u.displayName,
        households: u.role === 'family' ? u.households : [],
      },
      events,
      sessionExpiresAt: u.expiresAt,
      utcOffsetMinutes,
    });
  }

  /** false when the frame was not sent (socket closing or too slow). */
  sendEvent(f: Forward): boolean {
    const frame: ServerFrame = {
      type: 'event',
      event: f.event,
      at: f.at,
      serverTime: this.#clock.now(),
      data: f.data,
    };
    return this.#send(frame, URGENT_EVENT.test(f.event) ? 'urgent' : 'normal');
  }

  sendTime(): void {
    this.#send({ type: 'time', serverTime: this.#clock.now() });
  }

  /** true at most once per `windowMs` (hub clock) per key. */
  throttle(key: string, at: number, windowMs: number): boolean {
    const last = this.#lastActivity.get(key);
    if (last !== undefined && at - last < windowMs && at >= last) return false;
    this.#lastActivity.set(key, at);
    return true;
  }

  end(code: number, reason: string): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#ws.close(code, reason);
    setTimeout(() => this.#ws.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** bytes waiting to reach this console: in the socket's buffer and in the frame lanes */
  get queuedBytes(): number {
    return this.#ws.bufferedAmount + this.#lanes.queuedBytes;
  }

  #send(frame: ServerFrame, lane: FrameLane = 'normal'): boolean {
    if (this.#ending || this.#ws.readyState !== WebSocket.OPEN) return false;
    if (this.queuedBytes > this.#opts.maxBufferedBytes) {
      this.#opts.onSlow();
      this.end(CLOSE.tooSlow, 'too slow: reconnect and resync');
      return false;
    }
    this.#lanes.push(JSON.stringify(frame), lane);
    return true;
  }

  #onFrame(data: RawData, isBinary: boolean): void {
    const now = Date.now();
    // Abuse protection on wall time (not a deadline): a window of one second.
    if (now - this.#frameWindowStart >= 1000) {
      this.#frameWindowStart = now;
      this.#frames = 0;
    }
    if (++this.#frames > MAX_FRAMES_PER_SECOND) {
      this.end(CLOSE.tooChatty, 'too many frames');
      return;
    }
    let type: unknown;
    try {
      type = isBinary ? undefined : (JSON.parse(String(data)) as { type?: unknown }).type;
    } catch {
      type = undefined;
    }
    if (type === 'ping') {
      this.#send({ type: 'pong', serverTime: this.#clock.now() });
      return;
    }
    this.#send({
      type: 'error',
      code: 'HUB_ERR_LIVE_BAD_FRAME',
      message: 'the live channel takes {"type":"ping"} only; events come from the hub',
    });
  }

  #closed(): void {
    if (this.#expiry) this.#clock.clearTimeout(this.#expiry);
    this.#expiry = null;
    this.#ending = true;
    this.#opts.onClose();
  }
}
