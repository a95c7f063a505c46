/**
 * The live channel's frames (`/api/live`, JSON text frames), documented in README "Live channel".
 * Server → console: hello, event, time, pong, error. Console → server: ping.
 */
import type { Role } from '../../kernel/registry/types.ts';

/** Close codes (RFC 6455 §7.4: 4000–4999 are the application's). */
export const CLOSE = {
  /** the session expired or was logged out: log in again */
  sessionEnded: 4001,
  /** too many frames from the console */
  tooChatty: 4008,
  /** ws: a frame above liveMaxMessageBytes */
  tooBig: 1009,
  /** the console did not keep up (queued above liveMaxBufferedBytes): reconnect and resync */
  tooSlow: 1013,
  /** the hub is stopping */
  goingAway: 1001,
} as const;

export interface HelloFrame {
  type: 'hello';
  /** the hub's clock, epoch ms: consoles count down against it, never against the browser's clock */
  serverTime: number;
  user: { id: number; username: string; role: Role; displayName: string; households: string[] };
  /** the event names this user's role receives (the allowlist) */
  events: string[];
  /** epoch ms the session ends; the socket closes with 4001 then */
  sessionExpiresAt: number;
  /** the households' clock, minutes east of UTC (historyUtcOffsetMinutes): the pages show every time on it */
  utcOffsetMinutes: number;
}

export interface EventFrame {
  type: 'event';
  event: string;
  /** epoch ms, hub clock, of the change the event tells */
  at: number;
  /** the hub's clock when it was sent */
  serverTime: number;
  data: unknown;
}

export interface TimeFrame {
  type: 'time';
  serverTime: number;
}

export interface PongFrame {
  type: 'pong';
  serverTime: number;
}

export interface ErrorFrame {
  type: 'error';
  code: 'HUB_ERR_LIVE_BAD_FRAME';
  message: string;
}

export type ServerFrame = HelloFrame | EventFrame | TimeFrame | PongFrame | ErrorFrame;
