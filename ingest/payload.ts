/**
 * Steps every codec shares: the size limit, strict UTF-8 JSON object parsing, and turning a schema's
 * first error into a short detail that names the field (device-protocol.md, Bad input).
 */
import type { TObject } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { ValueErrorType } from '@sinclair/typebox/errors';
import { MAX_PAYLOAD_BYTES } from '../kernel/contract.ts';
import type { DecodeFailure } from './canonical.ts';

export type JsonObject = Record<string, unknown>;

/** Longest piece of device input echoed back in a detail, characters. */
const ECHO_MAX_CHARS = 40;

/** Fatal: a payload that is not valid UTF-8 is rejected, never silently repaired with U+FFFD. */
const utf8 = new TextDecoder('utf-8', { fatal: true });

export function failure(
  code: DecodeFailure['code'],
  detail: string,
  seq: number | null = null,
): DecodeFailure {
  return { ok: false, code, detail, seq };
}

/** Size limit first (before any parsing work), then UTF-8, then JSON, then "is an object". */
export function parseJsonObject(payload: Uint8Array): { ok: true; value: JsonObject } | DecodeFailure {
  if (payload.byteLength > MAX_PAYLOAD_BYTES) {
    return failure('too_large', `payload: ${payload.byteLength} bytes, limit ${MAX_PAYLOAD_BYTES}`);
  }
  const text = decodeUtf8(payload);
  if (text === undefined) return failure('invalid_json', 'payload: not valid UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return failure('invalid_json', `payload: not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return failure('invalid_json', `payload: must be a JSON object, got ${jsonKind(value)}`);
  }
  return { ok: true, value: value as JsonObject };
}

/** The payload as text, or undefined when it is not valid UTF-8 (a leading BOM is dropped). */
export function decodeUtf8(payload: Uint8Array): string | undefined {
  try {
    return utf8.decode(payload);
  } catch {
    // A fatal TextDecoder throws only on malformed input, which the caller reports.
    return undefined;
  }
}

function jsonKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** The payload's `seq` when it is one (integer ≥ 0), so even a rejection can name the message. */
export function seqOf(value: JsonObject): number | null {
  const seq = value.seq;
  return typeof seq === 'number' && Number.isSafeInteger(seq) && seq >= 0 ? seq : null;
}

/** The first schema violation as "field: rule", the rule taken from the field schema's description. */
export function describeViolation(check: TypeCheck<TObject>, schema: TObject, value: unknown): string {
  const error = check.Errors(value).First();
  if (!error) return 'payload: does not match the schema';
  const field = decodePointer(error.path.split('/')[1] ?? '');
  const rule = schema.properties[field]?.description ?? error.message;
  if (!field) return `payload: ${rule}`;
  if (error.type === ValueErrorType.ObjectRequiredProperty) return `${field}: required, ${rule}`;
  return `${field}: ${rule}`;
}

/** JSON Pointer token unescaping (RFC 6901 §4). */
function decodePointer(token: string): string {
  return token.replaceAll('~1', '/').replaceAll('~0', '~');
}

/** Device input quoted in a detail, JSON-quoted and cut to ECHO_MAX_CHARS. */
export function echo(input: string): string {
  const cut = input.length > ECHO_MAX_CHARS ? `${input.slice(0, ECHO_MAX_CHARS)}…` : input;
  return JSON.stringify(cut);
}
