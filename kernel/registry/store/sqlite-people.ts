import type { Clock } from '../../clock.ts';
import type { Db } from '../../db.ts';
import { connectionOf, type SqliteConnection } from '../../sqlite-connection.ts';
import { jsonArray, nowIso, type Row, str, strOrNull } from '../rows.ts';
import type { Responder, ResponderKind, Role, User } from '../types.ts';
import type { Change, NewUser, PeopleStore, Station, StationInput, UserPatch } from './types.ts';

const USER = 'SELECT * FROM users WHERE id = ?';
const USERS = 'SELECT * FROM users ORDER BY username';
const USER_BY_NAME = 'SELECT * FROM users WHERE username = ?';
const USER_HOUSEHOLDS = 'SELECT household_id FROM user_households WHERE user_id = ? ORDER BY household_id';
const INSERT_USER =
  'INSERT INTO users (username, role, password_hash, display_name, created_at) VALUES (?, ?, ?, ?, ?)';
const UPDATE_USER = 'UPDATE users SET role = ?, display_name = ?, enabled = ? WHERE id = ?';
const RESPONDER = 'SELECT * FROM responders WHERE id = ?';
const RESPONDERS = 'SELECT * FROM responders ORDER BY id';
const UPSERT_RESPONDER = `INSERT INTO responders (id, name, kind, phone, grids, station_id, user_id) VALUES (?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, phone = excluded.phone,
    grids = excluded.grids, station_id = excluded.station_id, user_id = excluded.user_id`;
const STATIONS = 'SELECT * FROM stations ORDER BY id';
const UPSERT_STATION = `INSERT INTO stations (id, name, lat, lon) VALUES (?, ?, ?, ?)
  ON CONFLICT(id) DO UPDATE SET name = excluded.name, lat = excluded.lat, lon = excluded.lon`;

const toResponder = (r: Row): Responder => ({
  id: str(r.id),
  name: str(r.name),
  kind: str(r.kind) as ResponderKind,
  phone: str(r.phone),
  grids: jsonArray(r.grids),
  stationId: strOrNull(r.station_id),
  userId: r.user_id === null ? null : Number(r.user_id),
});

const toStation = (r: Row): Station => ({
  id: str(r.id),
  name: str(r.name),
  lat: r.lat === null ? null : Number(r.lat),
  lon: r.lon === null ? null : Number(r.lon),
});

/** Users (with their household links), responders and stations on the embedded store. */
export class SqlitePeopleStore implements PeopleStore {
  readonly #conn: SqliteConnection;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock) {
    this.#conn = connectionOf(db);
    this.#clock = clock;
  }

  #toUser(r: Row): User {
    const households = this.#conn
      .statement(USER_HOUSEHOLDS)
      .all(Number(r.id))
      .map((h) => str(h.household_id));
    return {
      id: Number(r.id),
      username: str(r.username),
      role: str(r.role) as Role,
      displayName: str(r.display_name),
      enabled: Number(r.enabled) === 1,
      households,
    };
  }

  #user(id: number): User | null {
    const row = this.#conn.statement(USER).get(id);
    return row ? this.#toUser(row) : null;
  }

  #setHouseholds(userId: number, households: readonly string[]): void {
    this.#conn.statement('DELETE FROM user_households WHERE user_id = ?').run(userId);
    const insert = this.#conn.statement('INSERT INTO user_households (user_id, household_id) VALUES (?, ?)');
    for (const h of new Set(households)) insert.run(userId, h);
  }

  #responders(): Responder[] {
    return this.#conn.statement(RESPONDERS).all().map(toResponder);
  }

  #responder(id: string): Responder | null {
    const row = this.#conn.statement(RESPONDER).get(id);
    return row ? toResponder(row) : null;
  }

  #stations(): Station[] {
    return this.#conn.statement(STATIONS).all().map(toStation);
  }

  listUsers(): Promise<User[]> {
    return this.#conn.use(() =>
      this.#conn
        .statement(USERS)
        .all()
        .map((r) => this.#toUser(r)),
    );
  }

  getUser(id: number): Promise<User | null> {
    return this.#conn.use(() => this.#user(id));
  }

  userByName(username: string): Promise<(User & { passwordHash: string }) | null> {
    return this.#conn.use(() => {
      const row = this.#conn.statement(USER_BY_NAME).get(username);
      return row ? { ...this.#toUser(row), passwordHash: str(row.password_hash) } : null;
    });
  }

  createUser(u: NewUser): Promise<User> {
    return this.#conn.transaction(() =>
      this.#conn.use(() => {
        const result = this.#conn
          .statement(INSERT_USER)
          .run(u.username, u.role, u.passwordHash, u.displayName ?? '', nowIso(this.#clock.now()));
        const id = Number(result.lastInsertRowid);
        this.#setHouseholds(id, u.households ?? []);
        return this.#user(id) as User;
      }),
    );
  }

  updateUser(id: number, patch: UserPatch): Promise<void> {
    return this.#conn.transaction(() =>
      this.#conn.use(() => {
        const u = this.#user(id);
        if (!u) return;
        this.#conn
          .statement(UPDATE_USER)
          .run(
            patch.role ?? u.role,
            patch.displayName ?? u.displayName,
            (patch.enabled ?? u.enabled) ? 1 : 0,
            id,
          );
        if (patch.passwordHash)
          this.#conn.statement('UPDATE users SET password_hash = ? WHERE id = ?').run(patch.passwordHash, id);
        if (patch.households) this.#setHouseholds(id, patch.households);
      }),
    );
  }

  deleteUser(id: number): Promise<boolean> {
    return this.#conn.use(() => this.#conn.statement('DELETE FROM users WHERE id = ?').run(id).changes > 0);
  }

  listResponders(): Promise<Responder[]> {
    return this.#conn.use(() => this.#responders());
  }

  getResponder(id: string): Promise<Responder | null> {
    return this.#conn.use(() => this.#responder(id));
  }

  upsertResponder(r: Responder): Promise<Change> {
    return this.#conn.use(() => {
      const existing = this.#responder(r.id);
      if (existing && JSON.stringify(existing) === JSON.stringify(r)) return 'unchanged';
      this.#conn
        .statement(UPSERT_RESPONDER)
        .run(r.id, r.name, r.kind, r.phone, JSON.stringify(r.grids), r.stationId, r.userId);
      return existing ? 'updated' : 'created';
    });
  }

  deleteResponder(id: string): Promise<boolean> {
    return this.#conn.use(
      () => this.#conn.statement('DELETE FROM responders WHERE id = ?').run(id).changes > 0,
    );
  }

  listStations(): Promise<Station[]> {
    return this.#conn.use(() => this.#stations());
  }

  upsertStation(s: StationInput): Promise<void> {
    return this.#conn.use(() => {
      this.#conn.statement(UPSERT_STATION).run(s.id, s.name, s.lat ?? null, s.lon ?? null);
    });
  }
}
