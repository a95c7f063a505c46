/**
 * The protocol's `ts` field: "ISO 8601 string or epoch milliseconds" (device-protocol.md, Payloads).
 * The hub records it as the device's own clock only; ordering and deadlines use the hub's receive time.
 */

/** Largest instant a JavaScript Date holds, in epoch ms (ECMA-262 §21.4.1.1). */
export const MAX_EPOCH_MS = 8.64e15;

/**
 * ISO 8601 calendar date with optional time and zone, extended (`2024-05-01T08:30:00.123+08:00`)
 * or basic (`20240501T083000Z`) format. Also accepts `t`/space as the separator and `z` (RFC 3339).
 * Week and ordinal dates are not accepted.
 */
const EXTENDED =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?)?$/;
const BASIC =
  /^(\d{4})(\d{2})(\d{2})(?:[Tt](\d{2})(\d{2})(?:(\d{2})(?:[.,](\d+))?)?(Z|z|[+-]\d{2}(?:\d{2})?)?)?$/;

/** Shape check only, shared with the payload schemas; calendar validity is checked by parseDeviceTime. */
export const ISO_8601_PATTERN = `${EXTENDED.source}|${BASIC.source}`;

/** Epoch 1970 is the floor so an ISO time and an epoch-ms time cover the same range (ms ≥ 0). */
const MIN_YEAR = 1970;

/**
 * Converts a device's `ts` to epoch ms, or null when absent or not a valid time.
 * A zone-less ISO time is read as UTC (the hub's clock does not depend on its host's zone).
 * Fractions below a millisecond are truncated.
 */
export function parseDeviceTime(ts: unknown): number | null {
  if (typeof ts === 'number') {
    return Number.isFinite(ts) && ts >= 0 && ts <= MAX_EPOCH_MS ? Math.trunc(ts) : null;
  }
  if (typeof ts !== 'string') return null;
  const m = EXTENDED.exec(ts) ?? BASIC.exec(ts);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = h === undefined ? 0 : Number(h);
  const minute = mi === undefined ? 0 : Number(mi);
  const second = s === undefined ? 0 : Number(s);
  const ms = frac === undefined ? 0 : Number(frac.slice(0, 3).padEnd(3, '0'));
  if (year < MIN_YEAR || month < 1 || month > 12) return null;
  if (day < 1 || day > daysInMonth(year, month)) return null;
  // ISO 8601 allows 24:00:00 as the end of a day; 60 is a leap second (rolls into the next minute).
  if (hour > 24 || (hour === 24 && (minute > 0 || second > 0 || ms > 0))) return null;
  if (minute > 59 || second > 60) return null;
  const offsetMinutes = parseZoneOffset(zone);
  if (offsetMinutes === null) return null;
  const epoch = Date.UTC(year, month - 1, day, hour, minute, second, ms) - offsetMinutes * 60_000;
  return epoch >= 0 && epoch <= MAX_EPOCH_MS ? epoch : null;
}

function daysInMonth(year: number, month: number): number {
  // Day 0 of the next month is the last day of this one.
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Minutes east of UTC, 0 for `Z` or no zone; null when out of range (hours ≤ 23, minutes ≤ 59). */
function parseZoneOffset(zone: string | undefined): number | null {
  if (zone === undefined || zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2)) : 0;
  if (hours > 23 || minutes > 59) return null;
  return sign * (hours * 60 + minutes);
}
