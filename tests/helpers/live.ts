import WebSocket from 'ws';
import { until } from '../../simulators/device.ts';

export interface LiveFrame {
  type: string;
  event?: string;
  at?: number;
  serverTime?: number;
  data?: unknown;
  [key: string]: unknown;
}

export interface LiveClient {
  ws: WebSocket;
  frames: LiveFrame[];
  events(name?: string): LiveFrame[];
  /** waits until a frame matches; returns it */
  waitFor(match: (f: LiveFrame) => boolean, what: string, ms?: number): Promise<LiveFrame>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

export interface LiveOptions {
  token?: string;
  cookie?: string;
  origin?: string;
}

const liveUrl = (httpUrl: string) => `${httpUrl.replace(/^http/, 'ws')}/api/live`;

/** Opens /api/live as a console would; resolves once the hello frame arrived. */
export async function connectLive(httpUrl: string, opts: LiveOptions): Promise<LiveClient> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  const ws = new WebSocket(liveUrl(httpUrl), { headers, ...(opts.origin ? { origin: opts.origin } : {}) });
  const frames: LiveFrame[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as LiveFrame));
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
  });
  const client: LiveClient = {
    ws,
    frames,
    events: (name) => frames.filter((f) => f.type === 'event' && (!name || f.event === name)),
    async waitFor(match, what, ms = 3000) {
      await until(() => frames.some(match), ms, what);
      const found = frames.find(match);
      if (!found) throw new Error('unreachable');
      return found;
    },
    closed,
    close: () => ws.close(),
  };
  await client.waitFor((f) => f.type === 'hello', 'hello');
  return client;
}

/** The HTTP status an upgrade to /api/live is refused with (or 101 when it is accepted). */
export function liveUpgradeStatus(httpUrl: string, opts: LiveOptions): Promise<number> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie) headers.cookie = opts.cookie;
  const ws = new WebSocket(liveUrl(httpUrl), { headers, ...(opts.origin ? { origin: opts.origin } : {}) });
  return new Promise((resolve, reject) => {
    ws.once('open', () => {
      ws.close();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', (err) => {
      if (!err.message.includes('Unexpected server response')) reject(err);
    });
  });
}
