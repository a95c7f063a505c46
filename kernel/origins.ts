import type { IncomingMessage } from 'node:http';

/** A comma-separated list of origins from the configuration (`https://wall.example,…`). */
export function parseOrigins(csv: string): string[] {
  return csv
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o !== '');
}

/**
 * Which WebSocket upgrades may proceed (`/api/live`, `/mqtt`): one without an Origin (not a browser: a
 * device, a gateway, a script — it still needs its credentials), one from the hub's own origin (the
 * Host it was asked on), or one from a configured origin. A page of another origin must not open
 * sessions from a visitor's browser.
 */
export function webSocketOriginCheck(allowed: readonly string[]): (req: IncomingMessage) => boolean {
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
