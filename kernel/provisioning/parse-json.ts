/**
 * Reads the JSON form of a provisioning file into an ImportDocument. Reports syntax errors, wrong
 * types and unknown keys with their line; everything else is validate.ts's job.
 */
import { type JsonLines, joinPath, scanJsonLines } from './json-lines.ts';
import {
  type ContactEntry,
  type DeviceEntry,
  emptyDocument,
  type GatewayEntry,
  type HouseholdEntry,
  type ImportDocument,
  type Origin,
  type Problems,
  type ResidentEntry,
  type ResponderEntry,
  type UserEntry,
} from './model.ts';

type JsonObject = Record<string, unknown>;

const KEYS = {
  root: ['households', 'responders', 'users'],
  household: [
    'id',
    'address',
    'grid',
    'location',
    'sharing',
    'notes',
    'residents',
    'contacts',
    'devices',
    'gateways',
  ],
  location: ['lat', 'lon'],
  resident: ['id', 'name', 'birthYear', 'careNotes', 'language'],
  contact: ['name', 'relation', 'phone', 'priority'],
  // sosActions is read here too, so a native device that has it is told why it cannot (validate.ts).
  device: ['id', 'type', 'room', 'resident', 'sosActions'],
  gateway: ['id', 'devices'],
  gatewayDevice: ['friendlyName', 'id', 'type', 'room', 'resident', 'sosActions'],
  responder: ['id', 'name', 'kind', 'grids', 'phone', 'station'],
  user: ['username', 'role', 'displayName', 'households', 'password'],
} as const;

/** Reads fields of one JSON object, reporting wrong types at the object's line. */
class ObjectReader {
  readonly origin: Origin;
  readonly #value: JsonObject;
  readonly #problems: Problems;
  constructor(value: JsonObject, origin: Origin, problems: Problems, allowed: readonly string[]) {
    this.#value = value;
    this.origin = origin;
    this.#problems = problems;
    for (const key of Object.keys(value)) {
      if (!allowed.includes(key)) problems.at(origin, key, `unknown field (allowed: ${allowed.join(', ')})`);
    }
  }

  #wrong(key: string, expected: string): undefined {
    this.#problems.at(this.origin, key, `must be ${expected}`);
    return undefined;
  }

  /** undefined when absent or null */
  raw(key: string): unknown {
    const v = this.#value[key];
    return v === null ? undefined : v;
  }

  /** trimmed; undefined when absent, null or blank */
  string(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || typeof v === 'string') return v?.trim() || undefined;
    return this.#wrong(key, 'a string');
  }

  /** '' when missing: validate.ts reports it as required */
  required(key: string): string {
    return this.string(key) ?? '';
  }

  number(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined || typeof v === 'number') return v;
    return this.#wrong(key, 'a number');
  }

  strings(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
      return this.#wrong(key, 'a list of strings');
    return v.map((s: string) => s.trim());
  }

  /** The objects of an array field, each with its own origin; [] when absent. */
  objects(key: string, lines: JsonLines, what: string): Array<{ value: JsonObject; origin: Origin }> {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) return this.#wrong(key, `a list of ${what}`) ?? [];
    const base = joinPath(this.origin.path, key);
    const out: Array<{ value: JsonObject; origin: Origin }> = [];
    v.forEach((item: unknown, index) => {
      const path = joinPath(base, index);
      const origin = { line: lines.objectLine(path), path, fieldLines: lines.fieldLines(path) };
      if (isObject(item)) out.push({ value: item, origin });
      else this.#problems.at(origin, null, 'must be an object');
    });
    return out;
  }

  object(key: string, lines: JsonLines): { value: JsonObject; origin: Origin } | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isObject(v)) return this.#wrong(key, 'an object');
    const path = joinPath(this.origin.path, key);
    return { value: v, origin: { line: lines.objectLine(path), path, fieldLines: lines.fieldLines(path) } };
  }
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** V8 says "… in JSON at position 18 (line 3 column 8)"; older wording has only the position. */
function syntaxErrorLine(text: string, message: string): number {
  const line = /\(line (\d+) column \d+\)/.exec(message);
  if (line?.[1]) return Number(line[1]);
  const position = /at position (\d+)/.exec(message);
  const end = position?.[1] ? Number(position[1]) : text.length;
  return text.slice(0, end).split('\n').length;
}

/**
 * Deepest nesting a provisioning document needs is 5 (root › households › household › devices › device,
 * location); beyond MAX_DEPTH the file is refused before it is parsed: a deeply nested file (a 6 MB one
 * of brackets) would otherwise hold the event loop for over a second in the line scan below, and the
 * alarm path with it.
 */
export const MAX_DEPTH = 16;

/** Where the nesting first goes deeper than `max` (1-based line), or null. One pass, strings skipped. */
export function tooDeepAt(text: string, max: number): number | null {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 34) {
      // a string: skip to its closing quote (escapes skip the next character)
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) {
        if (text.charCodeAt(i) === 92) i++;
        else if (text.charCodeAt(i) === 10) line++;
      }
    } else if (c === 123 || c === 91) {
      if (++depth > max) return line;
    } else if (c === 125 || c === 93) depth--;
  }
  return null;
}

export function parseJsonDocument(text: string, problems: Problems): ImportDocument {
  const deep = tooDeepAt(text, MAX_DEPTH);
  if (deep !== null) {
    problems.add(deep, '', `nested deeper than ${MAX_DEPTH} levels: not a provisioning document`);
    return emptyDocument();
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    problems.add(syntaxErrorLine(text, message), '', `not valid JSON: ${message}`);
    return emptyDocument();
  }
  const lines = scanJsonLines(text);
  if (!isObject(parsed)) {
    problems.add(1, '', 'the file must hold one JSON object with households, responders and users');
    return emptyDocument();
  }
  const root = new ObjectReader(
    parsed,
    { line: lines.objectLine(''), path: '', fieldLines: lines.fieldLines('') },
    problems,
    KEYS.root,
  );
  return {
    households: root.objects('households', lines, 'households').map((h) => readHousehold(h, lines, problems)),
    responders: root.objects('responders', lines, 'responders').map((r) => readResponder(r, problems)),
    users: root.objects('users', lines, 'users').map((u) => readUser(u, problems)),
  };
}

type Item = { value: JsonObject; origin: Origin };

function readHousehold(item: Item, lines: JsonLines, problems: Problems): HouseholdEntry {
  const r = new ObjectReader(item.value, item.origin, problems, KEYS.household);
  const loc = r.object('location', lines);
  let location: HouseholdEntry['location'];
  if (loc) {
    const l = new ObjectReader(loc.value, loc.origin, problems, KEYS.location);
    const lat = l.number('lat');
    const lon = l.number('lon');
    if (l.raw('lat') === undefined || l.raw('lon') === undefined) {
      problems.at(loc.origin, null, 'location needs both lat and lon');
    } else if (lat !== undefined && lon !== undefined) location = { lat, lon };
  }
  return {
    origin: item.origin,
    id: r.required('id'),
    address: r.required('address'),
    grid: r.required('grid'),
    location,
    sharing: r.string('sharing'),
    notes: r.string('notes'),
    residents: r.objects('residents', lines, 'residents').map((x) => readResident(x, problems)),
    contacts: r.objects('contacts', lines, 'contacts').map((x) => readContact(x, problems)),
    devices: r.objects('devices', lines, 'devices').map((x) => readDevice(x, problems, KEYS.device)),
    gateways: r.objects('gateways', lines, 'gateways').map((x) => readGateway(x, lines, problems)),
  };
}

function readResident(item: Item, problems: Problems): ResidentEntry {
  const r = new ObjectReader(item.value, item.origin, problems, KEYS.resident);
  return {
    origin: item.origin,
    id: r.required('id'),
    name: r.required('name'),
    birthYear: r.number('birthYear'),
    careNotes: r.strings('careNotes'),
    language: r.string('language'),
  };
}

function readContact(item: Item, problems: Problems): ContactEntry {
  const r = new ObjectReader(item.value, item.origin, problems, KEYS.contact);
  return {
    origin: item.origin,
    name: r.required('name'),
    phone: r.required('phone'),
    relation: r.string('relation'),
    priority: r.number('priority'),
  };
}

function readDevice(item: Item, problems: Problems, keys: readonly string[]): DeviceEntry {
  const r = new ObjectReader(item.value, item.origin, problems, keys);
  return {
    origin: item.origin,
    id: r.required('id'),
    type: r.required('type'),
    room: r.string('room'),
    resident: r.string('resident'),
    // '' (not undefined) behind a gateway, so a missing name is reported as required
    friendlyName: keys.includes('friendlyName') ? r.required('friendlyName') : undefined,
    sosActions: r.strings('sosActions'),
  };
}

function readGateway(item: Item, lines: JsonLines, problems: Problems): GatewayEntry {
  const r = new ObjectReader(item.value, item.origin, problems, KEYS.gateway);
  return {
    origin: item.origin,
    id: r.required('id'),
    devices: r.objects('devices', lines, 'devices').map((x) => readDevice(x, problems, KEYS.gatewayDevice)),
  };
}

function readResponder(item: Item, problems: Problems): ResponderEntry {
  const r = new ObjectReader(item.value, item.origin, problems, KEYS.responder);
  return {
    origin: item.origin,
    id: r.required('id'),
    name: r.required('name'),
    kind: r.required('kind'),
    grids: r.strings('grids') ?? [],
    phone: r.required('phone'),
    station: r.string('station'),
  };
}

function readUser(item: Item, problems: Problems): UserEntry {
  const r = new ObjectReader(item.value, item.origin, problems, KEYS.user);
  const password = r.raw('password');
  if (password !== undefined && typeof password !== 'string')
    problems.at(item.origin, 'password', 'must be a string');
  return {
    origin: item.origin,
    username: r.required('username'),
    role: r.required('role'),
    displayName: r.string('displayName'),
    households: r.strings('households'),
    // not trimmed: spaces may be part of a password
    password: typeof password === 'string' ? password : undefined,
  };
}
