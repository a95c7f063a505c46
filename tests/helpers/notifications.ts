import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IncidentState, IncidentSummary } from '../../alerts/incidents/events.ts';

/** A hand-made incident (the incident service's shape, alerts/incidents/events.ts). */
export function incident(overrides: Partial<IncidentSummary> = {}): IncidentSummary {
  return {
    id: 'inc-1',
    householdId: 'hh-test',
    residentId: null,
    alarmType: 'sos',
    class: 'emergency',
    severity: 'critical',
    state: 'open',
    openedAt: Date.parse('2026-01-01T00:00:00Z'),
    deadlines: {},
    responderId: null,
    pendingResponderId: null,
    updatedAt: Date.parse('2026-01-01T00:00:00Z'),
    closedAt: null,
    stages: {},
    explanation: { zh: '紧急按钮被按下', en: 'Emergency button pressed' },
    alarmCount: 1,
    residentCancelledAt: null,
    ...overrides,
  };
}

export const withState = (i: IncidentSummary, state: IncidentState): IncidentSummary => ({ ...i, state });

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local webhook receiver on 127.0.0.1 answering the scripted statuses in turn (then 200). */
export interface Receiver {
  url: string;
  received: ReceivedHook[];
  close(): Promise<void>;
}

export async function startReceiver(statuses: number[] = []): Promise<Receiver> {
  const received: ReceivedHook[] = [];
  const script = [...statuses];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = script.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
