import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import type { Notification, Notifier } from '../../alerts/notifications/types.ts';
import type { HubEvents } from '../../kernel/bus.ts';
import { parseOrigins, webSocketOriginCheck } from '../../kernel/origins.ts';
import type { Role } from '../../kernel/registry/types.ts';
import type { RoomDeps } from '../../kernel/room.ts';
import { type SessionUser, sessionUserOf } from '../auth/guard.ts';
import { sessionCookieOf } from '../auth/session.ts';
import type { SessionStore } from '../store/types.ts';
import { ALLOWLIST, eventsFor, familyActivity, type Viewer } from './allowlist.ts';
import { LiveConnection } from './connection.ts';
import { CLOSE } from './protocol.ts';

export const LIVE_PATH = '/api/live';
const OWNER = 'live';
/** A family hears at most one `householdChanged` for activity per household in this window (ms, hub clock). */
const ACTIVITY_THROTTLE_MS = 5000;

export type LiveDeps = Pick<
  RoomDeps,
  'config' | 'registry' | 'bus' | 'clock' | 'metrics' | 'upgrades' | 'log'
> & { sessions: SessionStore };

export interface LiveChannel {
  start(): void;
  stop(): Promise<void>;
  /** The consoles' notification channel (alerts/notifications addChannel): texts to the audience's consoles. */
  readonly notifier: Notifier;
  connections(): number;
}

/** Answers an upgrade request with a plain HTTP error and closes the socket. */
function refuse(socket: Duplex, status: number, reason: string, code: string): void {
  const body = JSON.stringify({ error: { code, message: reason } });
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

/** `Authorization: Bearer …` (non-browser clients) or the session cookie (the pages). */
function tokenOf(req: IncomingMessage): string | null {
  const auth = req.headers.authorization;
  if (auth) return /^Bearer\s+(\S+)\s*$/i.exec(auth)?.[1] ?? null;
  return sessionCookieOf(req.headers.cookie);
}

const AUDIENCE_ROLES: Record<string, readonly Role[]> = {
  dispatchers: ['admin', 'supervisor', 'dispatcher'],
  supervisor: ['admin', 'supervisor'],
  family: ['family'],
  responder: ['responder'],
};

/**
 * The live channel (`/api/live`): one websocket per console on the HTTP port, authenticated by the API
 * session, browsers only from allowed origins; bus events filtered per role through the allowlist; the
 * hub's clock sent every liveSyncIntervalMs; closed when the session ends. A console that reconnects
 * resynchronises from the REST API after `hello` (the pages do), so nothing raised during a drop is missed.
 */
export function createLiveChannel(deps: LiveDeps): LiveChannel {
  const { config, registry, sessions, bus, clock, metrics, upgrades, log } = deps;
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: config.liveMaxMessageBytes,
    perMessageDeflate: false,
  });
  const open = new Set<LiveConnection>();
  /** family connections by household, so high-rate activity costs nothing when no family watches */
  const familyByHousehold = new Map<string, Set<LiveConnection>>();
  const originAllowed = webSocketOriginCheck(parseOrigins(config.liveAllowedOrigins));
  const refused = metrics.counter('hub_live_refused_total', 'live channel upgrades refused, by reason');
  const sent = metrics.counter('hub_live_frames_sent_total', 'live channel event frames sent, by event');
  const closedSlow = metrics.counter('hub_live_slow_closed_total', 'consoles closed for not keeping up');
  metrics.gauge('hub_live_connections', 'consoles connected to the live channel', () => open.size);
  metrics.gauge('hub_live_send_queue_bytes', 'bytes waiting to reach the consoles, all connections', () => {
    let bytes = 0;
    for (const conn of open) bytes += conn.queuedBytes;
    return bytes;
  });
  metrics.gauge('hub_live_send_queue_max_bytes', 'bytes waiting to reach the slowest console', () => {
    let max = 0;
    for (const conn of open) max = Math.max(max, conn.queuedBytes);
    return max;
  });
  let syncTimer: ReturnType<typeof setInterval> | null = null;

  const dispatch = <K extends keyof HubEvents>(name: K, payload: HubEvents[K]) => {
    const roles = ALLOWLIST[name];
    if (!roles) return;
    for (const conn of open) {
      const projection = roles[conn.viewer.role];
      const forward = projection?.(payload, conn.viewer);
      if (!forward) continue;
      if (conn.sendEvent(forward)) sent.inc({ event: forward.event });
    }
  };

  const onActivity = (m: HubEvents['messageAccepted']) => {
    const watchers = familyByHousehold.get(m.householdId);
    if (!watchers) return;
    for (const conn of watchers) {
      if (!conn.throttle(m.householdId, m.receivedAt, ACTIVITY_THROTTLE_MS)) continue;
      const forward = familyActivity(m.householdId, m.receivedAt, conn.viewer);
      if (forward && conn.sendEvent(forward)) sent.inc({ event: forward.event });
    }
  };

  const forget = (conn: LiveConnection) => {
    open.delete(conn);
    for (const h of conn.viewer.households ?? []) familyByHousehold.get(h)?.delete(conn);
  };

  /** The responders a responder user is: the jobs they may hear of. */
  const responderIdsOf = async (user: SessionUser): Promise<Set<string>> =>
    new Set(
      user.role === 'responder'
        ? (await registry.people.listResponders()).filter((r) => r.userId === user.id).map((r) => r.id)
        : [],
    );

  const accept = (ws: WebSocket, token: string, user: SessionUser, responderIds: Set<string>) => {
    const viewer: Viewer = {
      role: user.role,
      households: user.role === 'family' ? user.households : undefined,
      responderIds,
      seenJobs: new Set(),
    };
    const conn = new LiveConnection({
      ws,
      token,
      user,
      viewer,
      clock,
      maxBufferedBytes: config.liveMaxBufferedBytes,
      onSlow: () => closedSlow.inc(),
      onClose: () => forget(conn),
      log,
    });
    open.add(conn);
    if (user.role === 'family') {
      for (const h of user.households) {
        const set = familyByHousehold.get(h) ?? new Set();
        set.add(conn);
        familyByHousehold.set(h, set);
      }
    }
    conn.hello(eventsFor(user.role), config.historyUtcOffsetMinutes);
  };

  const handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!originAllowed(req)) {
      refused.inc({ reason: 'origin' });
      log.warn({ origin: req.headers.origin }, 'live: refused a foreign origin');
      refuse(socket, 403, 'Forbidden', 'HUB_ERR_FORBIDDEN');
      return;
    }
    const token = tokenOf(req);
    if (!token) {
      refused.inc({ reason: 'session' });
      refuse(socket, 401, 'Unauthorized', 'HUB_ERR_UNAUTHENTICATED');
      return;
    }
    void upgradeWithSession(req, socket, head, token);
  };

  /** Upgrades once the session is known good; the user and what they may hear are resolved first. */
  const upgradeWithSession = async (req: IncomingMessage, socket: Duplex, head: Buffer, token: string) => {
    // Node hands an upgraded socket over without an error listener: a reset while the store answers
    // must not become an uncaught error. ws adds its own in handleUpgrade.
    const onSocketError = () => socket.destroy();
    socket.on('error', onSocketError);
    let user: SessionUser | null;
    let responderIds: Set<string>;
    try {
      user = await sessionUserOf(sessions, registry, token);
      responderIds = user ? await responderIdsOf(user) : new Set();
    } catch (err) {
      log.error({ err }, 'live: could not check a session');
      refuse(socket, 500, 'Internal Server Error', 'HUB_ERR_INTERNAL');
      return;
    }
    if (!user) {
      refused.inc({ reason: 'session' });
      refuse(socket, 401, 'Unauthorized', 'HUB_ERR_UNAUTHENTICATED');
      return;
    }
    socket.off('error', onSocketError);
    const ready = user;
    wss.handleUpgrade(req, socket, head, (ws) => accept(ws, token, ready, responderIds));
  };

  /** The hub's time to every console, and a check that each session is still valid (logout, expiry). */
  const sync = async () => {
    for (const conn of [...open]) {
      try {
        if (!(await sessionUserOf(sessions, registry, conn.token)))
          conn.end(CLOSE.sessionEnded, 'session ended');
        else conn.sendTime();
      } catch (err) {
        log.error({ err }, 'live: could not re-check a session');
      }
    }
  };

  const notifier: Notifier = {
    channel: 'console',
    async notify(n: Notification) {
      const roles = new Set(n.audience.flatMap((a) => AUDIENCE_ROLES[a] ?? []));
      const data = {
        event: n.event,
        incidentId: n.incident.id,
        householdId: n.incident.householdId,
        audience: n.audience,
        text: n.text,
        ...(n.step ? { step: n.step } : {}),
        ...(n.late !== undefined ? { late: n.late } : {}),
      };
      for (const conn of open) {
        const v = conn.viewer;
        if (!roles.has(v.role)) continue;
        if (v.households && !v.households.includes(n.incident.householdId)) continue;
        if (v.role === 'responder') {
          const ids = [n.incident.responderId, n.incident.pendingResponderId];
          if (!ids.some((id) => id !== null && v.responderIds.has(id))) continue;
        }
        if (conn.sendEvent({ event: 'notification', at: n.at, data })) sent.inc({ event: 'notification' });
      }
    },
  };

  return {
    notifier,
    connections: () => open.size,
    start() {
      upgrades.add(LIVE_PATH, handleUpgrade);
      for (const name of Object.keys(ALLOWLIST) as Array<keyof HubEvents>) {
        bus.on(name, OWNER, (payload) => dispatch(name, payload));
      }
      bus.on('messageAccepted', OWNER, onActivity);
      syncTimer = setInterval(() => void sync(), config.liveSyncIntervalMs);
      syncTimer.unref();
    },
    async stop() {
      upgrades.remove(LIVE_PATH);
      bus.removeOwner(OWNER);
      if (syncTimer) clearInterval(syncTimer);
      for (const conn of [...open]) conn.end(CLOSE.goingAway, 'hub stopping');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
