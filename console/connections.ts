import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';

/** ms stop() waits for in-flight HTTP requests before it closes their connections. */
const HTTP_DRAIN_MS = 10_000;

/**
 * Tracks the shared HTTP server's connections, so stop() can finish the HTTP side without waiting for
 * sockets that an upgrade handed to another room (the broker's `/mqtt` websockets): those stay counted by
 * the server until their owner closes them, and the hub stops the console before the broker.
 */
export class ConnectionTracker {
  readonly #server: Server;
  readonly #open = new Set<Duplex>();
  readonly #upgraded = new Set<Duplex>();
  #onChange: (() => void) | null = null;

  constructor(server: Server) {
    this.#server = server;
  }

  /** Starts tracking; call once, before the server listens. */
  watch(): void {
    this.#server.on('connection', (socket: Duplex) => {
      this.#open.add(socket);
      socket.once('close', () => {
        this.#open.delete(socket);
        this.#upgraded.delete(socket);
        this.#onChange?.();
      });
    });
    this.#server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
      // Only ours: nobody routes upgrades (no UpgradeRouter attached), so nobody would ever answer.
      if (this.#server.listenerCount('upgrade') === 1) {
        socket.destroy();
        return;
      }
      this.#upgraded.add(socket);
    });
  }

  #httpDone(): boolean {
    for (const socket of this.#open) if (!this.#upgraded.has(socket)) return false;
    return true;
  }

  /**
   * Resolves once every connection left is an upgraded one. After HTTP_DRAIN_MS, the HTTP connections
   * still open (a stuck client) are closed.
   */
  async httpDrained(): Promise<void> {
    if (this.#httpDone()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.#server.closeAllConnections(); // HTTP connections only: upgraded sockets are no longer the server's
        finish();
      }, HTTP_DRAIN_MS);
      const finish = () => {
        clearTimeout(timer);
        this.#onChange = null;
        resolve();
      };
      this.#onChange = () => {
        if (this.#httpDone()) finish();
      };
    });
  }
}
