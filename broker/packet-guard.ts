/**
 * Enforces the maximum MQTT packet size before the bytes are buffered.
 *
 * aedes' parser (mqtt-packet) collects a whole packet in memory before it looks at it, so stock aedes
 * accepts a 20 MiB PUBLISH. The guard sits between the socket and `aedes.handle`, reads only the fixed
 * header of each packet (type byte + Remaining Length varint, MQTT 3.1.1 §2.2) across chunk boundaries,
 * and destroys the connection as soon as a declared packet is larger than the limit — before any byte
 * of its body reaches aedes.
 */
import { Duplex } from 'node:stream';

export type PacketViolation =
  | { kind: 'packet_too_large'; declaredBytes: number; limitBytes: number }
  | { kind: 'malformed_length'; detail: string };

/** Incremental scanner of MQTT fixed headers. Pure: feed it chunks, it reports the first violation. */
export class FixedHeaderScanner {
  readonly #limitBytes: number;
  #state: 'type' | 'length' | 'body' = 'type';
  #declared = 0;
  #multiplier = 1;
  #lengthBytes = 0;
  #bodyLeft = 0;

  constructor(limitBytes: number) {
    this.#limitBytes = limitBytes;
  }

  /** Scans `chunk`; returns the violation of the first packet that breaks the limit, else null. */
  scan(chunk: Uint8Array): PacketViolation | null {
    let i = 0;
    while (i < chunk.length) {
      if (this.#state === 'type') {
        i += 1;
        this.#state = 'length';
        this.#declared = 0;
        this.#multiplier = 1;
        this.#lengthBytes = 0;
        continue;
      }
      if (this.#state === 'length') {
        const byte = chunk[i] ?? 0;
        i += 1;
        this.#declared += (byte & 0x7f) * this.#multiplier;
        this.#multiplier *= 128;
        this.#lengthBytes += 1;
        if (byte & 0x80) {
          // §2.2.3: at most four bytes of Remaining Length.
          if (this.#lengthBytes === 4)
            return { kind: 'malformed_length', detail: 'remaining length over 4 bytes' };
          continue;
        }
        const packetBytes = 1 + this.#lengthBytes + this.#declared;
        if (packetBytes > this.#limitBytes) {
          return { kind: 'packet_too_large', declaredBytes: packetBytes, limitBytes: this.#limitBytes };
        }
        this.#bodyLeft = this.#declared;
        this.#state = this.#bodyLeft === 0 ? 'type' : 'body';
        continue;
      }
      const skip = Math.min(this.#bodyLeft, chunk.length - i);
      i += skip;
      this.#bodyLeft -= skip;
      if (this.#bodyLeft === 0) this.#state = 'type';
    }
    return null;
  }
}

/**
 * A duplex that passes bytes between `inner` (a socket or a WebSocket stream) and aedes, scanning what
 * comes in. On a violation it calls `onViolation` once and destroys both sides; the offending chunk is
 * never handed on.
 */
export class GuardedConnection extends Duplex {
  readonly #inner: Duplex;

  constructor(inner: Duplex, limitBytes: number, onViolation: (v: PacketViolation) => void) {
    super({ allowHalfOpen: false });
    this.#inner = inner;
    const scanner = new FixedHeaderScanner(limitBytes);
    inner.on('data', (chunk: Buffer) => {
      if (this.destroyed) return;
      const violation = scanner.scan(chunk);
      if (violation) {
        onViolation(violation);
        this.destroy();
        return;
      }
      if (!this.push(chunk)) inner.pause();
    });
    inner.on('end', () => this.push(null));
    inner.on('error', (err: Error) => this.destroy(err));
    inner.on('close', () => this.destroy());
  }

  override _read(): void {
    this.#inner.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#inner.destroyed) {
      callback(new Error('connection closed'));
      return;
    }
    this.#inner.write(chunk, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#inner.end();
    callback();
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    this.#inner.destroy();
    callback(err);
  }
}
