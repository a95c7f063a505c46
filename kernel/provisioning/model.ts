/**
 * The provisioning document (../shared/docs/provisioning.md) after parsing, the same for JSON and CSV.
 * Values are as the file gave them: required strings are '' when missing, enumerations are still plain
 * strings. validate.ts checks them; apply.ts writes only a document that passed.
 */
import { joinPath } from './json-lines.ts';

/** Where an entry came from, so every problem names a 1-based line and a place in the file. */
export interface Origin {
  /** JSON: line where the object starts; CSV: line where the row starts */
  line: number;
  /** JSON: the object's path, e.g. households[0].devices[2]; CSV: '' */
  path: string;
  /** CSV only: the column that holds each field, e.g. { type: 'device_type' } */
  columns?: Readonly<Record<string, string>>;
  /** JSON only: the line of each of the object's keys, so a problem with a field names the field's line */
  fieldLines?: Readonly<Record<string, number>>;
}

/** The place of one field of an entry: `households[0].devices[2].type` in JSON, the column in CSV. */
export function fieldPath(origin: Origin, field: string): string {
  if (origin.columns) return origin.columns[field] ?? field;
  return joinPath(origin.path, field);
}

export interface DeviceEntry {
  origin: Origin;
  id: string;
  type: string;
  room?: string;
  /** resident id the device belongs to (a wristband's wearer) */
  resident?: string;
  /** Zigbee2MQTT friendly name: only for devices behind a gateway */
  friendlyName?: string;
  /** Zigbee2MQTT `action` values that mean SOS: only for a button behind a gateway; absent: unchanged */
  sosActions?: string[];
}

export interface GatewayEntry {
  origin: Origin;
  id: string;
  devices: DeviceEntry[];
}

export interface ResidentEntry {
  origin: Origin;
  id: string;
  name: string;
  birthYear?: number;
  careNotes?: string[];
  language?: string;
}

export interface ContactEntry {
  origin: Origin;
  name: string;
  phone: string;
  relation?: string;
  priority?: number;
}

export interface HouseholdEntry {
  origin: Origin;
  id: string;
  address: string;
  grid: string;
  location?: { lat: number; lon: number };
  sharing?: string;
  notes?: string;
  residents: ResidentEntry[];
  contacts: ContactEntry[];
  /** devices that connect themselves (own id and secret) */
  devices: DeviceEntry[];
  gateways: GatewayEntry[];
}

export interface ResponderEntry {
  origin: Origin;
  id: string;
  name: string;
  kind: string;
  grids: string[];
  phone: string;
  station?: string;
}

export interface UserEntry {
  origin: Origin;
  username: string;
  role: string;
  displayName?: string;
  households?: string[];
  /** never logged, never echoed in a problem */
  password?: string;
}

export interface ImportDocument {
  households: HouseholdEntry[];
  responders: ResponderEntry[];
  users: UserEntry[];
}

export const emptyDocument = (): ImportDocument => ({ households: [], responders: [], users: [] });

export interface Problem {
  /** 1-based line in the input file */
  line: number;
  /** where in the document, e.g. households[0].devices[2].type or a CSV column */
  path: string;
  reason: string;
}

/** Collects problems; the first reason for a place wins (a wrong type is not also reported as missing). */
export class Problems {
  readonly #byPlace = new Map<string, Problem>();

  add(line: number, path: string, reason: string): void {
    const key = `${line}\u0000${path}`;
    if (!this.#byPlace.has(key)) this.#byPlace.set(key, { line, path, reason });
  }

  at(origin: Origin, field: string | null, reason: string): void {
    if (field === null) this.add(origin.line, origin.path, reason);
    else this.add(origin.fieldLines?.[field] ?? origin.line, fieldPath(origin, field), reason);
  }

  get size(): number {
    return this.#byPlace.size;
  }

  /** In file order. */
  list(): Problem[] {
    return [...this.#byPlace.values()].sort((a, b) => a.line - b.line || a.path.localeCompare(b.path));
  }
}
