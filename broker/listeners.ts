/**
 * The broker's listeners (device-protocol.md "Transport"): MQTT over TCP, over TLS when a certificate
 * and key are configured, and over WebSocket at `/mqtt` on the shared HTTP port. Each accepted stream is
 * handed to `accept` with where it came from.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer as createTlsServer } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { HubConfig } from '../kernel/config.ts';
import type { Logger } from '../kernel/logger.ts';
import { parseOrigins, webSocketOriginCheck } from '../kernel/origins.ts';
import type { UpgradeRouter } from '../kernel/upgrades.ts';
import { type ConnectionInfo, normalizeAddress } from './clients.ts';

export const WEBSOCKET_PATH = '/mqtt';

/** ms a TLS client has for its handshake before the socket is closed (Node's default is 120 s). */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export type Accept = (stream: Duplex, info: ConnectionInfo, req?: IncomingMessage) => void;

export interface ListenerDeps {
  config: HubConfig;
  upgrades: UpgradeRouter;
  log: Logger;
  accept: Accept;
}

/**
 * Pending connections the kernel queues for us (listen(2) backlog; capped by net.core.somaxconn, 4096
 * here). Node's default of 511 overflows when a county reconnects at once after a restart: the kernel
 * drops the SYNs past it and the devices retry only after 1, 3, 7 … s (measured: 14,396 dropped
 * handshakes for 10,000 devices with 511).
 */
const LISTEN_BACKLOG = 4096;

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) {
      resolve();
      return;
    }
    server.close(() => resolve());
  });
}

export function createListeners({ config, upgrades, log, accept }: ListenerDeps) {
  const sockets = new Set<Socket>();
  let tcp: Server | null = null;
  let tls: Server | null = null;
  let wss: WebSocketServer | null = null;
  let ports = { mqtt: 0, mqtts: null as number | null };

  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };

  const onServerError = (listener: string) => (err: Error) => log.error({ err, listener }, 'listener error');

  return {
    async start(): Promise<void> {
      tcp = createTcpServer((socket) => {
        track(socket);
        accept(socket, { address: normalizeAddress(socket.remoteAddress), transport: 'tcp' });
      });
      const mqtt = await listen(tcp, config.mqttPort, config.host);
      tcp.on('error', onServerError('tcp'));

      let mqtts: number | null = null;
      if (config.mqttTlsCert && config.mqttTlsKey) {
        tls = createTlsServer(
          {
            cert: readFileSync(config.mqttTlsCert),
            key: readFileSync(config.mqttTlsKey),
            minVersion: 'TLSv1.2',
            handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS,
          },
          (socket) => accept(socket, { address: normalizeAddress(socket.remoteAddress), transport: 'tls' }),
        );
        tls.on('connection', track);
        tls.on('tlsClientError', (err: Error) => log.debug({ err }, 'TLS handshake failed'));
        mqtts = await listen(tls, config.mqttsPort, config.host);
        tls.on('error', onServerError('tls'));
      }

      const ws = new WebSocketServer({ noServer: true, maxPayload: config.mqttMaxPacketBytes });
      wss = ws;
      ws.on('error', onServerError('ws'));
      const originAllowed = webSocketOriginCheck(parseOrigins(config.mqttWsAllowedOrigins));
      upgrades.add(WEBSOCKET_PATH, (req, socket, head) => {
        if (!originAllowed(req)) {
          // A page of another origin must not open MQTT sessions from a visitor's browser.
          log.warn({ origin: req.headers.origin }, 'MQTT over WebSocket: refused a foreign browser origin');
          socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
          return;
        }
        ws.handleUpgrade(req, socket, head, (client) => {
          accept(
            createWebSocketStream(client),
            { address: normalizeAddress(req.socket.remoteAddress), transport: 'ws' },
            req,
          );
        });
      });
      ports = { mqtt, mqtts };
      log.info({ mqtt, mqtts, ws: WEBSOCKET_PATH }, 'MQTT listeners up');
    },

    async stop(): Promise<void> {
      upgrades.remove(WEBSOCKET_PATH);
      const closing = [tcp, tls].filter((s): s is Server => s !== null).map(close);
      for (const client of wss?.clients ?? []) client.terminate();
      wss?.close();
      // Connections aedes did not close (still in their CONNECT timeout) would hold server.close open.
      for (const socket of sockets) socket.destroy();
      await Promise.all(closing);
      tcp = null;
      tls = null;
      wss = null;
    },

    listening: () => tcp?.listening ?? false,
    ports: () => ports,
  };
}
