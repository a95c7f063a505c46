import type { Clock } from '../clock.ts';
import { type Db, Statements } from '../db.ts';
import { jsonArray, nowIso, numOrNull, type Row, str } from './rows.ts';
import type { Contact, Household, Resident, SharingLevel } from './types.ts';

export type HouseholdInput = Omit<Household, 'notes' | 'sharing' | 'location'> & {
  notes?: string;
  sharing?: SharingLevel;
  location?: { lat: number; lon: number } | null;
};
export type ResidentInput = Omit<Resident, 'birthYear' | 'careNotes' | 'language'> & {
  birthYear?: number | null;
  careNotes?: string[];
  language?: string;
};
export type ContactInput = Omit<Contact, 'id' | 'relation' | 'priority'> & {
  relation?: string;
  priority?: number;
};

const toHousehold = (r: Row): Household => ({
  id: str(r.id),
  address: str(r.address),
  grid: str(r.grid),
  location: r.lat === null || r.lon === null ? null : { lat: Number(r.lat), lon: Number(r.lon) },
  notes: str(r.notes),
  sharing: str(r.sharing) as SharingLevel,
});

const toResident = (r: Row): Resident => ({
  id: str(r.id),
  householdId: str(r.household_id),
  name: str(r.name),
  birthYear: numOrNull(r.birth_year),
  careNotes: jsonArray(r.care_notes),
  language: str(r.language),
});

const toContact = (r: Row): Contact => ({
  id: Number(r.id),
  householdId: str(r.household_id),
  name: str(r.name),
  relation: str(r.relation),
  phone: str(r.phone),
  priority: Number(r.priority),
});

/** Households, their residents and emergency contacts. */
export class HouseholdStore {
  readonly #sql: Statements;
  readonly #clock: Clock;
  /** told when a delete cascades into devices (ON DELETE CASCADE / SET NULL): the device cache drops */
  readonly #onCascade: () => void;
  constructor(db: Db, clock: Clock, onCascade: () => void = () => undefined) {
    this.#sql = new Statements(db);
    this.#clock = clock;
    this.#onCascade = onCascade;
  }

  list(ids?: readonly string[]): Household[] {
    const rows = this.#sql.get('SELECT * FROM households ORDER BY id').all();
    const all = rows.map(toHousehold);
    return ids ? all.filter((h) => ids.includes(h.id)) : all;
  }

  get(id: string): Household | null {
    const row = this.#sql.get('SELECT * FROM households WHERE id = ?').get(id);
    return row ? toHousehold(row) : null;
  }

  /** Inserts or updates; returns whether anything changed. */
  upsert(h: HouseholdInput): 'created' | 'updated' | 'unchanged' {
    const existing = this.get(h.id);
    const next: Household = {
      id: h.id,
      address: h.address,
      grid: h.grid,
      location: h.location === undefined ? (existing?.location ?? null) : h.location,
      notes: h.notes ?? existing?.notes ?? '',
      sharing: h.sharing ?? existing?.sharing ?? 'status',
    };
    if (existing && JSON.stringify(existing) === JSON.stringify(next)) return 'unchanged';
    const now = nowIso(this.#clock.now());
    this.#sql
      .get(
        `INSERT INTO households (id, address, grid, lat, lon, notes, sharing, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET address = excluded.address, grid = excluded.grid, lat = excluded.lat,
           lon = excluded.lon, notes = excluded.notes, sharing = excluded.sharing, updated_at = excluded.updated_at`,
      )
      .run(
        next.id,
        next.address,
        next.grid,
        next.location?.lat ?? null,
        next.location?.lon ?? null,
        next.notes,
        next.sharing,
        now,
        now,
      );
    return existing ? 'updated' : 'created';
  }

  delete(id: string): boolean {
    const done = this.#sql.get('DELETE FROM households WHERE id = ?').run(id).changes > 0;
    if (done) this.#onCascade();
    return done;
  }

  residents(householdId: string): Resident[] {
    return this.#sql
      .get('SELECT * FROM residents WHERE household_id = ? ORDER BY id')
      .all(householdId)
      .map(toResident);
  }

  getResident(id: string): Resident | null {
    const row = this.#sql.get('SELECT * FROM residents WHERE id = ?').get(id);
    return row ? toResident(row) : null;
  }

  upsertResident(r: ResidentInput): 'created' | 'updated' | 'unchanged' {
    const existing = this.getResident(r.id);
    const next: Resident = {
      id: r.id,
      householdId: r.householdId,
      name: r.name,
      birthYear: r.birthYear === undefined ? (existing?.birthYear ?? null) : r.birthYear,
      careNotes: r.careNotes ?? existing?.careNotes ?? [],
      language: r.language ?? existing?.language ?? 'zh',
    };
    if (existing && JSON.stringify(existing) === JSON.stringify(next)) return 'unchanged';
    this.#sql
      .get(
        `INSERT INTO residents (id, household_id, name, birth_year, care_notes, language) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET household_id = excluded.household_id, name = excluded.name,
           birth_year = excluded.birth_year, care_notes = excluded.care_notes, language = excluded.language`,
      )
      .run(
        next.id,
        next.householdId,
        next.name,
        next.birthYear,
        JSON.stringify(next.careNotes),
        next.language,
      );
    return existing ? 'updated' : 'created';
  }

  deleteResident(id: string): boolean {
    const done = this.#sql.get('DELETE FROM residents WHERE id = ?').run(id).changes > 0;
    if (done) this.#onCascade();
    return done;
  }

  contacts(householdId: string): Contact[] {
    return this.#sql
      .get('SELECT * FROM contacts WHERE household_id = ? ORDER BY priority, id')
      .all(householdId)
      .map(toContact);
  }

  getContact(id: number): Contact | null {
    const row = this.#sql.get('SELECT * FROM contacts WHERE id = ?').get(id);
    return row ? toContact(row) : null;
  }

  addContact(c: ContactInput): Contact {
    const result = this.#sql
      .get('INSERT INTO contacts (household_id, name, relation, phone, priority) VALUES (?, ?, ?, ?, ?)')
      .run(c.householdId, c.name, c.relation ?? '', c.phone, c.priority ?? 1);
    return this.getContact(Number(result.lastInsertRowid)) as Contact;
  }

  /** Contacts are identified by (household, phone) when imported, so a re-import does not duplicate them. */
  upsertContactByPhone(c: ContactInput): 'created' | 'updated' | 'unchanged' {
    const existing = this.contacts(c.householdId).find((x) => x.phone === c.phone);
    if (!existing) {
      this.addContact(c);
      return 'created';
    }
    const next = {
      ...existing,
      name: c.name,
      relation: c.relation ?? existing.relation,
      priority: c.priority ?? existing.priority,
    };
    if (JSON.stringify(next) === JSON.stringify(existing)) return 'unchanged';
    this.updateContact(next);
    return 'updated';
  }

  updateContact(c: Contact): void {
    this.#sql
      .get('UPDATE contacts SET name = ?, relation = ?, phone = ?, priority = ? WHERE id = ?')
      .run(c.name, c.relation, c.phone, c.priority, c.id);
  }

  deleteContact(id: number): boolean {
    return this.#sql.get('DELETE FROM contacts WHERE id = ?').run(id).changes > 0;
  }
}
