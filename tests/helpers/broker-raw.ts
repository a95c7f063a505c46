import { connect, type Socket } from 'node:net';

/**
 * Hand-written MQTT 3.1.1 bytes, for what MQTT.js refuses to send (an empty clientId with
 * CleanSession=0) and for packets whose body never comes (a header announcing 1 MiB).
 */

const utf8 = (s: string) => {
  const bytes = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(bytes.length);
  return Buffer.concat([len, bytes]);
};

/** MQTT Remaining Length encoding (§2.2.3). */
export function remainingLength(n: number): Buffer {
  const out: number[] = [];
  let rest = n;
  do {
    let byte = rest % 128;
    rest = Math.floor(rest / 128);
    if (rest > 0) byte |= 0x80;
    out.push(byte);
  } while (rest > 0);
  return Buffer.from(out);
}

export function connectPacket(opts: {
  clientId: string;
  username?: string;
  password?: string;
  clean: boolean;
}): Buffer {
  let flags = opts.clean ? 0x02 : 0;
  if (opts.username !== undefined) flags |= 0x80;
  if (opts.password !== undefined) flags |= 0x40;
  const variable = Buffer.concat([utf8('MQTT'), Buffer.from([4, flags, 0, 60])]); // level 4, keepalive 60 s
  const payload = Buffer.concat([
    utf8(opts.clientId),
    opts.username === undefined ? Buffer.alloc(0) : utf8(opts.username),
    opts.password === undefined ? Buffer.alloc(0) : utf8(opts.password),
  ]);
  const body = Buffer.concat([variable, payload]);
  return Buffer.concat([Buffer.from([0x10]), remainingLength(body.length), body]);
}

/** The fixed header of a QoS 1 PUBLISH announcing `bodyBytes` of remaining length. */
export const publishHeader = (bodyBytes: number) =>
  Buffer.concat([Buffer.from([0x32]), remainingLength(bodyBytes)]);

export interface RawConnection {
  socket: Socket;
  /** Resolves with the CONNACK return code. */
  connack(): Promise<number>;
  /** Resolves with ms from the call until the hub closed the connection; rejects after `withinMs`. */
  closed(withinMs: number): Promise<number>;
}

export async function rawConnect(port: number): Promise<RawConnection> {
  const socket = connect(port, '127.0.0.1');
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let received = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
  });
  socket.on('error', () => socket.destroy());
  const isClosed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return {
    socket,
    async connack() {
      for (let i = 0; i < 100 && received.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
      if (received[0] !== 0x20 || received.length < 4)
        throw new Error(`no CONNACK: ${received.toString('hex')}`);
      return received[3] ?? -1;
    },
    async closed(withinMs) {
      const started = Date.now();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`still open after ${withinMs} ms`)), withinMs);
      });
      try {
        await Promise.race([isClosed, timeout]);
      } finally {
        clearTimeout(timer);
      }
      return Date.now() - started;
    },
  };
}
