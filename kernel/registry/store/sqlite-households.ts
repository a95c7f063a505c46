import type { Clock } from '../../clock.ts';
import type { Db } from '../../db.ts';
import { connectionOf, type SqliteConnection } from '../../sqlite-connection.ts';
import { jsonArray, nowIso, numOrNull, type Row, str } from '../rows.ts';
import type { Contact, Household, Resident, SharingLevel } from '../types.ts';
import type { Change, ContactInput, HouseholdInput, HouseholdStore, ResidentInput } from './types.ts';

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

const HOUSEHOLD = 'SELECT * FROM households WHERE id = ?';
const HOUSEHOLDS = 'SELECT * FROM households ORDER BY id';
const UPSERT_HOUSEHOLD = `INSERT INTO households (id, address, grid, lat, lon, notes, sharing, created_at, updated_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET address = excluded.address, grid = excluded.grid, lat = excluded.lat,
    lon = excluded.lon, notes = excluded.notes, sharing = excluded.sharing, updated_at = excluded.updated_at`;
const RESIDENT = 'SELECT * FROM residents WHERE id = ?';
const RESIDENTS = 'SELECT * FROM residents WHERE household_id = ? ORDER BY id';
const UPSERT_RESIDENT = `INSERT INTO residents (id, household_id, name, birth_year, care_notes, language) VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET household_id = excluded.household_id, name = excluded.name,
    birth_year = excluded.birth_year, care_notes = excluded.care_notes, language = excluded.language`;
const CONTACT = 'SELECT * FROM contacts WHERE id = ?';
const CONTACTS = 'SELECT * FROM contacts WHERE household_id = ? ORDER BY priority, id';
const INSERT_CONTACT =
  'INSERT INTO contacts (household_id, name, relation, phone, priority) VALUES (?, ?, ?, ?, ?)';
const UPDATE_CONTACT = 'UPDATE contacts SET name = ?, relation = ?, phone = ?, priority = ? WHERE id = ?';

/** Households, their residents and emergency contacts on the embedded store. */
export class SqliteHouseholdStore implements HouseholdStore {
  readonly #conn: SqliteConnection;
  readonly #clock: Clock;
  /** told when a delete cascades into devices (ON DELETE CASCADE / SET NULL): the device cache drops */
  readonly #onCascade: () => void;

  constructor(db: Db, clock: Clock, onCascade: () => void = () => undefined) {
    this.#conn = connectionOf(db);
    this.#clock = clock;
    this.#onCascade = onCascade;
  }

  #list(ids?: readonly string[]): Household[] {
    const all = this.#conn.statement(HOUSEHOLDS).all().map(toHousehold);
    return ids ? all.filter((h) => ids.includes(h.id)) : all;
  }

  #get(id: string): Household | null {
    const row = this.#conn.statement(HOUSEHOLD).get(id);
    return row ? toHousehold(row) : null;
  }

  #residents(householdId: string): Resident[] {
    return this.#conn.statement(RESIDENTS).all(householdId).map(toResident);
  }

  #resident(id: string): Resident | null {
    const row = this.#conn.statement(RESIDENT).get(id);
    return row ? toResident(row) : null;
  }

  #contacts(householdId: string): Contact[] {
    return this.#conn.statement(CONTACTS).all(householdId).map(toContact);
  }

  #contact(id: number): Contact | null {
    const row = this.#conn.statement(CONTACT).get(id);
    return row ? toContact(row) : null;
  }

  #addContact(c: ContactInput): Contact {
    const result = this.#conn
      .statement(INSERT_CONTACT)
      .run(c.householdId, c.name, c.relation ?? '', c.phone, c.priority ?? 1);
    return this.#contact(Number(result.lastInsertRowid)) as Contact;
  }

  #updateContact(c: Contact): void {
    this.#conn.statement(UPDATE_CONTACT).run(c.name, c.relation, c.phone, c.priority, c.id);
  }

  list(ids?: readonly string[]): Promise<Household[]> {
    return this.#conn.use(() => this.#list(ids));
  }

  get(id: string): Promise<Household | null> {
    return this.#conn.use(() => this.#get(id));
  }

  upsert(h: HouseholdInput): Promise<Change> {
    return this.#conn.use(() => {
      const existing = this.#get(h.id);
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
      this.#conn
        .statement(UPSERT_HOUSEHOLD)
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
    });
  }

  delete(id: string): Promise<boolean> {
    return this.#conn.use(() => {
      const done = this.#conn.statement('DELETE FROM households WHERE id = ?').run(id).changes > 0;
      if (done) this.#onCascade();
      return done;
    });
  }

  residents(householdId: string): Promise<Resident[]> {
    return this.#conn.use(() => this.#residents(householdId));
  }

  getResident(id: string): Promise<Resident | null> {
    return this.#conn.use(() => this.#resident(id));
  }

  upsertResident(r: ResidentInput): Promise<Change> {
    return this.#conn.use(() => {
      const existing = this.#resident(r.id);
      const next: Resident = {
        id: r.id,
        householdId: r.householdId,
        name: r.name,
        birthYear: r.birthYear === undefined ? (existing?.birthYear ?? null) : r.birthYear,
        careNotes: r.careNotes ?? existing?.careNotes ?? [],
        language: r.language ?? existing?.language ?? 'zh',
      };
      if (existing && JSON.stringify(existing) === JSON.stringify(next)) return 'unchanged';
      this.#conn
        .statement(UPSERT_RESIDENT)
        .run(
          next.id,
          next.householdId,
          next.name,
          next.birthYear,
          JSON.stringify(next.careNotes),
          next.language,
        );
      return existing ? 'updated' : 'created';
    });
  }

  deleteResident(id: string): Promise<boolean> {
    return this.#conn.use(() => {
      const done = this.#conn.statement('DELETE FROM residents WHERE id = ?').run(id).changes > 0;
      if (done) this.#onCascade();
      return done;
    });
  }

  contacts(householdId: string): Promise<Contact[]> {
    return this.#conn.use(() => this.#contacts(householdId));
  }

  getContact(id: number): Promise<Contact | null> {
    return this.#conn.use(() => this.#contact(id));
  }

  addContact(c: ContactInput): Promise<Contact> {
    return this.#conn.use(() => this.#addContact(c));
  }

  upsertContactByPhone(c: ContactInput): Promise<Change> {
    return this.#conn.use((): Change => {
      const existing = this.#contacts(c.householdId).find((x) => x.phone === c.phone);
      if (!existing) {
        this.#addContact(c);
        return 'created';
      }
      const next = {
        ...existing,
        name: c.name,
        relation: c.relation ?? existing.relation,
        priority: c.priority ?? existing.priority,
      };
      if (JSON.stringify(next) === JSON.stringify(existing)) return 'unchanged';
      this.#updateContact(next);
      return 'updated';
    });
  }

  updateContact(c: Contact): Promise<void> {
    return this.#conn.use(() => this.#updateContact(c));
  }

  deleteContact(id: number): Promise<boolean> {
    return this.#conn.use(
      () => this.#conn.statement('DELETE FROM contacts WHERE id = ?').run(id).changes > 0,
    );
  }
}
