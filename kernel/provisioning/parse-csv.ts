/**
 * Reads the CSV form of a provisioning file (one row per device, the household's fields repeated on
 * each row) into an ImportDocument. Reports unreadable rows, bad numbers and rows of one household,
 * resident or contact that disagree, each with the line where its row starts.
 */
import { parse } from 'csv-parse/sync';
import {
  emptyDocument,
  type HouseholdEntry,
  type ImportDocument,
  type Origin,
  type Problems,
} from './model.ts';
import { recordLines } from './text-lines.ts';

export const CSV_COLUMNS = [
  'household_id',
  'address',
  'grid',
  'lat',
  'lon',
  'resident_id',
  'resident_name',
  'birth_year',
  'care_notes',
  'contact_name',
  'contact_phone',
  'device_id',
  'device_type',
  'room',
  'gateway_id',
  'friendly_name',
  'sos_actions',
  // Optional, carrying what the JSON does (provisioning.md, CSV): a missing column or an empty cell
  // takes the JSON's default.
  'sharing',
  'contact_relation',
  'contact_priority',
  'resident_language',
] as const;
type Column = (typeof CSV_COLUMNS)[number];
const REQUIRED_COLUMNS: readonly Column[] = ['household_id', 'address', 'grid'];

/** The column holding each model field, so problems name the column the operator sees. */
const COLUMNS_OF = {
  household: { id: 'household_id', address: 'address', grid: 'grid', location: 'lat', sharing: 'sharing' },
  resident: {
    id: 'resident_id',
    name: 'resident_name',
    birthYear: 'birth_year',
    careNotes: 'care_notes',
    language: 'resident_language',
  },
  contact: {
    name: 'contact_name',
    phone: 'contact_phone',
    relation: 'contact_relation',
    priority: 'contact_priority',
  },
  device: {
    id: 'device_id',
    type: 'device_type',
    room: 'room',
    resident: 'resident_id',
    friendlyName: 'friendly_name',
    sosActions: 'sos_actions',
  },
  gateway: { id: 'gateway_id' },
} as const;

interface Row {
  line: number;
  get(column: Column): string;
}

/** What csv-parse yields with `info: true` (the sync typings do not model that option). */
interface ParsedRecord {
  record: string[];
  info: { bytes: number };
}

export function parseCsvDocument(text: string, problems: Problems): ImportDocument {
  let records: ParsedRecord[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true, // a short or long row is reported with its line, not a parse abort
      skip_empty_lines: true,
    }) as unknown as ParsedRecord[];
  } catch (err) {
    const line = (err as { lines?: unknown }).lines;
    const message = err instanceof Error ? err.message : String(err);
    problems.add(typeof line === 'number' && line > 0 ? line : 1, '', `not valid CSV: ${message}`);
    return emptyDocument();
  }
  const starts = recordLines(
    text,
    records.map((r) => r.info.bytes),
  );
  const [header, ...rows] = records;
  if (!header) {
    problems.add(1, '', 'the file is empty: it needs a header row and one row per device');
    return emptyDocument();
  }
  const columns = readHeader(header.record, starts[0] ?? 1, problems);
  if (!columns) return emptyDocument();

  const builder = new DocumentBuilder(problems);
  rows.forEach((r, i) => {
    const line = starts[i + 1] ?? 1;
    if (r.record.every((v) => v.trim() === '')) return; // a spreadsheet's trailing ",,,," row
    if (r.record.length !== columns.length) {
      problems.add(line, '', `row has ${r.record.length} fields, the header has ${columns.length}`);
      return;
    }
    const values = new Map<string, string>();
    columns.forEach((name, c) => {
      const value = (r.record[c] ?? '').trim();
      if (name === '' && value !== '')
        problems.add(line, '', `a value in column ${c + 1}, which has no name`);
      values.set(name, value);
    });
    builder.add({ line, get: (column) => values.get(column) ?? '' });
  });
  return builder.document();
}

/** Column names in file order, or null when rows cannot be read (missing or repeated columns). */
function readHeader(fields: string[], line: number, problems: Problems): string[] | null {
  const names = fields.map((f) => f.trim().toLowerCase());
  if (names.length === 1 && /[;\t]/.test(names[0] ?? '')) {
    problems.add(line, '', 'the header has one column: the file must be comma-separated');
    return null;
  }
  let usable = true;
  const seen = new Set<string>();
  for (const name of names) {
    // A spreadsheet may export stray empty cells after the last column: unnamed columns must stay empty.
    if (name === '') continue;
    if (seen.has(name)) {
      problems.add(line, name, `column ${JSON.stringify(name)} appears twice in the header`);
      usable = false;
    }
    seen.add(name);
    if (!(CSV_COLUMNS as readonly string[]).includes(name)) {
      problems.add(line, name, `unknown column ${JSON.stringify(name)} (columns: ${CSV_COLUMNS.join(', ')})`);
    }
  }
  for (const required of REQUIRED_COLUMNS) {
    if (!seen.has(required)) {
      problems.add(line, required, `the header lacks the required column ${required}`);
      usable = false;
    }
  }
  return usable ? names : null;
}

/** A `;`-separated cell (care notes, SOS actions) as its trimmed values; undefined when empty. */
function listOf(cell: string): string[] | undefined {
  if (cell === '') return undefined;
  return cell
    .split(';')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/** Groups rows into households; the first row of a household, resident or contact sets its fields. */
class DocumentBuilder {
  readonly #problems: Problems;
  readonly #households = new Map<string, { entry: HouseholdEntry; first: Row }>();
  readonly #residents = new Map<string, Row>(); // key: household id + resident id
  readonly #contacts = new Map<string, Row>(); // key: household id + phone
  constructor(problems: Problems) {
    this.#problems = problems;
  }

  document(): ImportDocument {
    return { households: [...this.#households.values()].map((h) => h.entry), responders: [], users: [] };
  }

  #origin(row: Row, columns: Readonly<Record<string, string>>): Origin {
    return { line: row.line, path: '', columns };
  }

  /** Reports `columns` of `row` that differ from the `first` row describing the same thing. */
  #agree(row: Row, first: Row, columns: readonly Column[], what: string): void {
    for (const column of columns) {
      if (row.get(column) !== first.get(column)) {
        this.#problems.add(row.line, column, `${what} has a different ${column} on line ${first.line}`);
      }
    }
  }

  add(row: Row): void {
    const householdId = row.get('household_id');
    if (householdId === '') {
      this.#problems.add(row.line, 'household_id', 'household_id is required');
      return;
    }
    const household = this.#household(row, householdId);
    this.#resident(row, household);
    this.#contact(row, household);
    this.#device(row, household);
  }

  #household(row: Row, id: string): HouseholdEntry {
    const known = this.#households.get(id);
    if (known) {
      this.#agree(row, known.first, ['address', 'grid', 'lat', 'lon', 'sharing'], `household ${id}`);
      return known.entry;
    }
    const entry: HouseholdEntry = {
      origin: this.#origin(row, COLUMNS_OF.household),
      id,
      address: row.get('address'),
      grid: row.get('grid'),
      location: this.#location(row),
      sharing: row.get('sharing') || undefined,
      residents: [],
      contacts: [],
      devices: [],
      gateways: [],
    };
    this.#households.set(id, { entry, first: row });
    return entry;
  }

  #location(row: Row): HouseholdEntry['location'] {
    const lat = row.get('lat');
    const lon = row.get('lon');
    if (lat === '' && lon === '') return undefined;
    if (lat === '' || lon === '') {
      this.#problems.add(
        row.line,
        lat === '' ? 'lat' : 'lon',
        'lat and lon go together: give both or neither',
      );
      return undefined;
    }
    const latN = this.#number(row, 'lat');
    const lonN = this.#number(row, 'lon');
    return latN === undefined || lonN === undefined ? undefined : { lat: latN, lon: lonN };
  }

  #number(row: Row, column: Column): number | undefined {
    const raw = row.get(column);
    if (!/^[+-]?\d+(\.\d+)?$/.test(raw)) {
      this.#problems.add(row.line, column, `${column} ${JSON.stringify(raw)} is not a number`);
      return undefined;
    }
    return Number(raw);
  }

  #resident(row: Row, household: HouseholdEntry): void {
    const id = row.get('resident_id');
    const details: Column[] = ['resident_name', 'birth_year', 'care_notes', 'resident_language'];
    if (id === '') {
      const given = details.find((c) => row.get(c) !== '');
      if (given)
        this.#problems.add(row.line, 'resident_id', `resident_id is required when ${given} is given`);
      return;
    }
    const key = `${household.id}\u0000${id}`;
    const first = this.#residents.get(key);
    if (first) {
      this.#agree(row, first, details, `resident ${id}`);
      return;
    }
    this.#residents.set(key, row);
    const birthYear = row.get('birth_year');
    const careNotes = row.get('care_notes');
    household.residents.push({
      origin: this.#origin(row, COLUMNS_OF.resident),
      id,
      name: row.get('resident_name'),
      birthYear: birthYear === '' ? undefined : this.#number(row, 'birth_year'),
      careNotes: listOf(careNotes),
      language: row.get('resident_language') || undefined,
    });
  }

  #contact(row: Row, household: HouseholdEntry): void {
    const phone = row.get('contact_phone');
    const details: Column[] = ['contact_name', 'contact_relation', 'contact_priority'];
    if (phone === '') {
      const given = details.find((c) => row.get(c) !== '');
      if (given)
        this.#problems.add(row.line, 'contact_phone', `contact_phone is required when ${given} is given`);
      return;
    }
    const key = `${household.id}\u0000${phone}`;
    const first = this.#contacts.get(key);
    if (first) {
      this.#agree(row, first, details, 'the contact with this phone');
      return;
    }
    this.#contacts.set(key, row);
    const priority = row.get('contact_priority');
    household.contacts.push({
      origin: this.#origin(row, COLUMNS_OF.contact),
      name: row.get('contact_name'),
      phone,
      relation: row.get('contact_relation') || undefined,
      // Without the column the order of first appearance is the calling order.
      priority: priority === '' ? household.contacts.length + 1 : this.#number(row, 'contact_priority'),
    });
  }

  #device(row: Row, household: HouseholdEntry): void {
    const id = row.get('device_id');
    const gatewayId = row.get('gateway_id');
    const friendlyName = row.get('friendly_name');
    if (friendlyName !== '' && gatewayId === '') {
      this.#problems.add(row.line, 'gateway_id', 'gateway_id is required when friendly_name is given');
    }
    if (id === '') {
      const given = (['device_type', 'room', 'friendly_name', 'sos_actions'] as const).find(
        (c) => row.get(c) !== '',
      );
      if (given) this.#problems.add(row.line, 'device_id', `device_id is required when ${given} is given`);
    }
    let gateway = household.gateways.find((g) => g.id === gatewayId);
    if (gatewayId !== '' && !gateway) {
      gateway = { origin: this.#origin(row, COLUMNS_OF.gateway), id: gatewayId, devices: [] };
      household.gateways.push(gateway);
    }
    if (id === '') return;
    const device = {
      origin: this.#origin(row, COLUMNS_OF.device),
      id,
      type: row.get('device_type'),
      room: row.get('room') || undefined,
      // The row's resident is the device's resident (the wearer of a wristband, the user of a button).
      resident: row.get('resident_id') || undefined,
      sosActions: listOf(row.get('sos_actions')),
    };
    if (gateway) gateway.devices.push({ ...device, friendlyName });
    else household.devices.push(device);
  }
}
