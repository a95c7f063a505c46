/**
 * The secrets file beside an imported file (`FILE.secrets.csv`: `id,secret`), the only place new
 * secrets are written. Owner-only (mode 0600); appended to, so an earlier import's secrets stay.
 */
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  fstatSync,
  fsyncSync,
  openSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { csvField } from '../csv.ts';

const OWNER_ONLY = 0o600;

export const secretsFilePath = (inputFile: string) => `${inputFile}.secrets.csv`;

/** Throws unless the secrets file can be written: checked before importing, so no secret is lost. */
export function assertSecretsFileWritable(path: string): void {
  accessSync(existsSync(path) ? path : dirname(path), constants.W_OK);
}

export function appendSecrets(path: string, secrets: ReadonlyArray<{ id: string; secret: string }>): void {
  if (secrets.length === 0) return;
  const fd = openSync(path, 'a', OWNER_ONLY);
  try {
    // The creation mode is narrowed by the umask, and an existing file may be wider: set it exactly.
    fchmodSync(fd, OWNER_ONLY);
    const header = fstatSync(fd).size === 0 ? 'id,secret\n' : '';
    writeSync(fd, header + secrets.map((s) => `${csvField(s.id)},${csvField(s.secret)}\n`).join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
