import type { IncomingMessage } from 'node:http';

/**
 * Which WebSocket upgrades to /mqtt may proceed: one without an Origin (a device, a gateway, a
 * simulator: not a browser), one from the hub's own origin (host and port), or one from a configured
 * origin. A browser on another origin would otherwise open MQTT sessions with its visitor's network
 * position, as it cannot on /api/live either.
 */
export function webSocketOriginCheck(allowedCsv: string): (req: IncomingMessage) => boolean {
  const allowed = allowedCsv
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
  return (req) => {
    const origin = req.headers.origin;
    if (origin === undefined) return true;
    if (allowed.includes(origin)) return true;
    try {
      return new URL(origin).host === req.headers.host;
    } catch {
      return false;
    }
  };
}
