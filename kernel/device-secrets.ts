/**
 * Device and gateway secrets are 192-bit random tokens (generateSecret), not passwords: nothing can
 * guess them, so they need no slow hash. They are kept as HMAC-SHA-256 under a per-hub key that lives
 * in the data directory beside the store (never in it), bound to the id:
 *
 *   hmac-sha256$<key id>$<base64url HMAC(key, id NUL secret)>
 *
 * One verification costs ~2 µs instead of one scrypt (~50 ms of CPU), so a whole county reconnects in
 * seconds after a restart. A stolen database without the key file gives nothing to test guesses
 * against. People's passwords stay on scrypt (kernel/secrets.ts). Secrets provisioned before this
 * scheme carry scrypt hashes; the broker upgrades each one on the device's next successful connect.
 */
import {
  createHash,
  createHmac,
  createSecretKey,
  type KeyObject,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';
import { closeSync, fsyncSync, linkSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Db } from './db.ts';

export const DEVICE_SECRET_KEY_FILE = 'device-secret.key';
const SCHEME = 'hmac-sha256';
const KEY_BYTES = 32;

export type StoredSecretScheme = 'hmac' | 'scrypt' | 'unknown';

export class DeviceSecretHasher {
  /** a KeyObject made once: createHmac with raw bytes imports the key on every call (~10 µs) */
  readonly #key: KeyObject;
  /** the first 8 hex digits of sha256(key): tells a hash made under another hub's key from a wrong secret */
  readonly keyId: string;

  constructor(key: Buffer) {
    if (key.length < KEY_BYTES) throw new Error(`device secret key must have ${KEY_BYTES} bytes`);
    this.#key = createSecretKey(key);
    this.keyId = createHash('sha256').update(key).digest('hex').slice(0, 8);
  }

  /** The key of the store opened as `db` (created beside it on first use); an in-memory store gets a fresh one. */
  static forDatabase(db: Db): DeviceSecretHasher {
    const location = db.location();
    return new DeviceSecretHasher(location ? loadOrCreateKey(dirname(location)) : randomBytes(KEY_BYTES));
  }

  hash(id: string, secret: string): string {
    return `${SCHEME}$${this.keyId}$${this.#mac(id, secret).toString('base64url')}`;
  }

  /** True when `secret` is the one `stored` was made from, for this id, under this hub's key. */
  verify(id: string, secret: string, stored: string): boolean {
    const [scheme, keyId, mac] = stored.split('$');
    if (scheme !== SCHEME || keyId !== this.keyId || !mac) return false;
    const expected = Buffer.from(mac, 'base64url');
    const actual = this.#mac(id, secret);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }

  static scheme(stored: string): StoredSecretScheme {
    if (stored.startsWith(`${SCHEME}$`)) return 'hmac';
    if (stored.startsWith('scrypt$')) return 'scrypt';
    return 'unknown';
  }

  #mac(id: string, secret: string): Buffer {
    return createHmac('sha256', this.#key).update(id).update('\u0000').update(secret).digest();
  }
}

/**
 * Reads `dir/device-secret.key`, or creates it (mode 0600, synced) when it does not exist yet. Written to
 * a temporary name and linked into place, so a process that races us reads either nothing or a whole key.
 */
function loadOrCreateKey(dir: string): Buffer {
  const path = join(dir, DEVICE_SECRET_KEY_FILE);
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const fd = openSync(temporary, 'wx', 0o600);
  try {
    writeSync(fd, randomBytes(KEY_BYTES));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temporary, path);
  } catch (err) {
    // Another process (the import CLI, a second hub start) created it first: theirs is the key.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    unlinkSync(temporary);
  }
  const dirFd = openSync(dir, 'r');
  try {
    fsyncSync(dirFd); // the file's name survives a power loss too
  } finally {
    closeSync(dirFd);
  }
  return readFileSync(path);
}
