/** Small field checks shared by the validators. Each returns a reason, or null when the value is fine. */
import { MAX_SOS_ACTIONS, SOS_ACTION_PATTERN } from '../contract.ts';
import { OPERATOR_ID_PATTERN } from '../ids.ts';

/** Operator-chosen ids (households, residents, devices, gateways, responders): ids.ts OPERATOR_ID_PATTERN. */
export function idProblem(value: string, what: string): string | null {
  if (value === '') return `${what} is required`;
  if (!OPERATOR_ID_PATTERN.test(value)) {
    return `${what} ${JSON.stringify(value)} is not a valid id (letters, digits, '.', '_', '-'; starts with a letter or digit; at most 64 characters)`;
  }
  return null;
}

/**
 * A device or gateway id is also its MQTT client id and the topic level after `eldercare/v1/`, where
 * `gw` introduces gateway topics (contract.ts parseTopic): it cannot be an id.
 */
export function mqttIdProblem(value: string, what: string): string | null {
  if (value === 'gw') return `${what} "gw" is reserved: eldercare/v1/gw/ is where gateways publish`;
  return idProblem(value, what);
}

/**
 * NUL, BEL, ESC … in a name or an address: never typed by a person, they break logs, CSV exports and
 * terminals, and hide text (C0 controls and DEL).
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this regex's job
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f]/;
/** The same, but an address may span lines (a spreadsheet cell with a line break): TAB, LF, CR allowed. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is this regex's job
export const CONTROL_CHARACTER_BUT_LINE_BREAKS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Free text such as an address or a name: required unless `optional`, at most `max` characters. */
export function textProblem(
  value: string | undefined,
  what: string,
  max: number,
  optional = false,
  multiline = false,
): string | null {
  if (value === undefined || value.trim() === '') return optional ? null : `${what} is required`;
  if ((multiline ? CONTROL_CHARACTER_BUT_LINE_BREAKS : CONTROL_CHARACTER).test(value))
    return `${what} must not contain control characters (U+0000–U+001F, U+007F)`;
  return [...value].length > max ? `${what} is too long (at most ${max} characters)` : null;
}

export function oneOfProblem(value: string, allowed: readonly string[], what: string): string | null {
  return allowed.includes(value)
    ? null
    : `unknown ${what} ${JSON.stringify(value)} (one of ${allowed.join(', ')})`;
}

export function isOneOf<T extends string>(allowed: readonly T[], value: string): value is T {
  return (allowed as readonly string[]).includes(value);
}

/** Narrows a value validate.ts already checked; throws on a bug rather than storing a bad value. */
export function oneOf<T extends string>(allowed: readonly T[], value: string): T {
  if (!isOneOf(allowed, value)) throw new Error(`provisioning: unvalidated value ${JSON.stringify(value)}`);
  return value;
}

// A dialable number as written in a spreadsheet: optional '+', digits, spaces, '-', '(' and ')'.
const PHONE = /^\+?[0-9][0-9 ()-]*$/;
const MIN_PHONE_DIGITS = 3; // short service numbers such as 110 or 120
const MAX_PHONE_DIGITS = 20;

/** The number itself is not echoed: it is personal data. */
export function phoneProblem(value: string, what: string): string | null {
  if (value.trim() === '') return `${what} is required`;
  const digits = value.replace(/\D/g, '').length;
  if (!PHONE.test(value) || digits < MIN_PHONE_DIGITS || digits > MAX_PHONE_DIGITS) {
    return `${what} is not a phone number (digits with an optional leading '+', spaces, '-', '(' and ')')`;
  }
  return null;
}

export const OLDEST_BIRTH_YEAR = 1900;

export function birthYearProblem(value: number, currentYear: number): string | null {
  if (!Number.isInteger(value) || value < OLDEST_BIRTH_YEAR || value > currentYear) {
    return `birth year ${value} is not plausible (a whole year from ${OLDEST_BIRTH_YEAR} to ${currentYear})`;
  }
  return null;
}

export function locationProblem(location: { lat: number; lon: number }): string | null {
  const { lat, lon } = location;
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) return `latitude ${lat} is out of range (-90 to 90)`;
  if (!Number.isFinite(lon) || lon < -180 || lon > 180)
    return `longitude ${lon} is out of range (-180 to 180)`;
  return null;
}

// User names: like operator ids, plus '@' so an e-mail address works as a login.
const USERNAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

export function usernameProblem(value: string): string | null {
  if (value === '') return 'username is required';
  if (!USERNAME.test(value)) {
    return `username ${JSON.stringify(value)} is not valid (letters, digits, '.', '_', '-', '@'; at most 64 characters)`;
  }
  return null;
}

export const MIN_PASSWORD_LENGTH = 8; // the same floor as the configured admin password
const MAX_PASSWORD_LENGTH = 256;

/** The password itself is never echoed. */
export function passwordProblem(value: string): string | null {
  const length = [...value].length;
  if (length < MIN_PASSWORD_LENGTH)
    return `password is too short (at least ${MIN_PASSWORD_LENGTH} characters)`;
  if (length > MAX_PASSWORD_LENGTH) return `password is too long (at most ${MAX_PASSWORD_LENGTH} characters)`;
  return null;
}

/**
 * A Zigbee2MQTT friendly name is one level of `eldercare/v1/gw/{gatewayId}/{friendlyName}`: no MQTT
 * wildcards, no '/', and not the gateway's own `bridge` topics.
 */
export function friendlyNameProblem(value: string): string | null {
  if (value === '') return 'a device behind a gateway needs its Zigbee2MQTT friendly name';
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[+#/\u0000-\u001f]/.test(value) || value.length > 128) {
    return `friendly name ${JSON.stringify(value)} is not valid (at most 128 characters, no '/', '+', '#' or control characters)`;
  }
  if (value === 'bridge') return "friendly name 'bridge' is reserved for the gateway's own topics";
  return null;
}

/** A button's own list of Zigbee2MQTT `action` values that mean SOS (contract.ts SOS_ACTION_PATTERN). */
export function sosActionsProblem(values: readonly string[]): string | null {
  if (values.length === 0) return 'sosActions needs at least one action value (leave it out for the default)';
  if (values.length > MAX_SOS_ACTIONS)
    return `sosActions has ${values.length} values, at most ${MAX_SOS_ACTIONS}`;
  const bad = values.find((v) => !SOS_ACTION_PATTERN.test(v));
  if (bad !== undefined) {
    return `SOS action ${JSON.stringify(bad.slice(0, 80))} is not a Zigbee2MQTT action value (letters, digits, '_', '.', ':', '-'; at most 64 characters)`;
  }
  const twice = values.find((v, i) => values.indexOf(v) !== i);
  return twice === undefined ? null : `SOS action ${JSON.stringify(twice)} is listed twice`;
}
