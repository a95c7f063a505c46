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
  | { kind: 'malformed_length'; detail: string }
  | { kind: 'unsupported_protocol'; detail: string };

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

/** MQTT protocol levels the broker speaks: 3 (MQTT 3.1) and 4 (3.1.1); aedes answers 5 with CONNACK 1 itself. */
const PROTOCOL_LEVELS: ReadonlySet<number> = new Set([3, 4, 5]);
/** The CONNECT's first bytes we look at: type, ≤ 4 of Remaining Length, name length (2), name (≤ 6), level. */
const CONNECT_PROBE_BYTES = 1 + 4 + 2 + 6 + 1;

/**
 * The protocol level of a connection's first packet, read across chunks: a number once known, null
 * while more bytes are needed, 'other' when the first packet is not a CONNECT (aedes refuses that).
 * MQTT 3.1.1 §3.1.2.2 [MQTT-3.1.2-2]: an unsupported level gets CONNACK 0x01, then the close; stock
 * mqtt-packet fails to parse such a CONNECT and aedes closes without a CONNACK.
 */
export class ConnectLevelProbe {
  #seen = Buffer.alloc(0);
  #done = false;

  feed(chunk: Buffer): number | 'other' | null {
    if (this.#done) return 'other';
    this.#seen = Buffer.concat([this.#seen, chunk.subarray(0, CONNECT_PROBE_BYTES)]);
    const b = this.#seen;
    if (b.length < 1) return null;
    if ((b[0] ?? 0) >> 4 !== 1) return this.#finish('other');
    let i = 1;
    while (i < b.length && i <= 4 && ((b[i] ?? 0) & 0x80) !== 0) i++;
    if (i >= b.length) return null;
    const nameAt = i + 1;
    if (b.length < nameAt + 2) return null;
    const nameLength = ((b[nameAt] ?? 0) << 8) | (b[nameAt + 1] ?? 0);
    if (nameLength > 6) return this.#finish('other'); // not MQTT/MQIsdp: the parser's own refusal
    const levelAt = nameAt + 2 + nameLength;
    if (b.length <= levelAt) return null;
    return this.#finish(b[levelAt] ?? 0);
  }

  #finish<T extends number | 'other'>(v: T): T {
    this.#done = true;
    this.#seen = Buffer.alloc(0);
    return v;
  }
}

/** ms an answered connection has to take our CONNACK before it is cut (wall time: not a deadline). */
const ANSWER_GRACE_MS = 2000;

/** CONNACK with return code 0x01, unacceptable protocol version (MQTT 3.1.1 §3.2.2.3). */
const CONNACK_UNACCEPTABLE_PROTOCOL = Buffer.from([0x20, 0x02, 0x00, 0x01]);

/**
 * A duplex that passes bytes between `inner` (a socket or a WebSocket stream) and aedes, scanning what
 * comes in. On a violation it calls `onViolation` once and destroys both sides; the offending chunk is
 * never handed on.
 */
export class GuardedConnection extends Duplex {
  readonly #inner: Duplex;
  /** a CONNACK of our own is being written: the inner socket ends itself after it */
  #answered = false;

  constructor(inner: Duplex, limitBytes: number, onViolation: (v: PacketViolation) => void) {
    super({ allowHalfOpen: false });
    this.#inner = inner;
    const scanner = new FixedHeaderScanner(limitBytes);
    const probe = new ConnectLevelProbe();
    let probing = true;
    inner.on('data', (chunk: Buffer) => {
      if (this.destroyed) return;
      if (probing) {
        const level = probe.feed(chunk);
        if (level !== null) probing = false;
        if (typeof level === 'number' && !PROTOCOL_LEVELS.has(level)) {
          onViolation({ kind: 'unsupported_protocol', detail: `CONNECT with protocol level ${level}` });
          // The answer goes out before the close; the inner socket is cut if it does not finish.
          this.#answered = true;
          inner.end(CONNACK_UNACCEPTABLE_PROTOCOL);
          setTimeout(() => inner.destroy(), ANSWER_GRACE_MS).unref();
          this.destroy();
          return;
        }
      }
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
    if (!this.#answered) this.#inner.destroy();
    callback(err);
  }
}
