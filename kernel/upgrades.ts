import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Routes HTTP upgrade requests by path, so the broker (`/mqtt`) and the console (`/api/live`) share
 * the HTTP port. Unknown paths are answered 404 and closed.
 */
export class UpgradeRouter {
  readonly #routes = new Map<string, UpgradeHandler>();

  add(path: string, handler: UpgradeHandler): void {
    this.#routes.set(path, handler);
  }

  remove(path: string): void {
    this.#routes.delete(path);
  }

  attach(server: Server): void {
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = new URL(req.url ?? '/', 'http://hub').pathname;
      const handler = this.#routes.get(path);
      if (handler) {
        handler(req, socket, head);
        return;
      }
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    });
  }
}
