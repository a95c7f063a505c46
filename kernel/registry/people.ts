import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../clock.ts';
import { type Db, Statements, transaction } from '../db.ts';
import { jsonArray, nowIso, type Row, str, strOrNull } from './rows.ts';
import type { Responder, ResponderKind, Role, User } from './types.ts';

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

/** Users (with their household links), console sessions, responders and stations. */
export class PeopleStore {
  readonly #db: Db;
  readonly #sql: Statements;
  readonly #clock: Clock;
  constructor(db: Db, clock: Clock) {
    this.#db = db;
    this.#sql = new Statements(db);
    this.#clock = clock;
  }

  #toUser(r: Row): User {
    const households = this.#sql
      .get('SELECT household_id FROM user_households WHERE user_id = ? ORDER BY household_id')
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

  listUsers(): User[] {
    return this.#sql
      .get('SELECT * FROM users ORDER BY username')
      .all()
      .map((r) => this.#toUser(r));
  }

  getUser(id: number): User | null {
    const row = this.#sql.get('SELECT * FROM users WHERE id = ?').get(id);
    return row ? this.#toUser(row) : null;
  }

  userByName(username: string): (User & { passwordHash: string }) | null {
    const row = this.#sql.get('SELECT * FROM users WHERE username = ?').get(username);
    return row ? { ...this.#toUser(row), passwordHash: str(row.password_hash) } : null;
  }

  createUser(u: {
    username: string;
    role: Role;
    passwordHash: string;
    displayName?: string;
    households?: string[];
  }): User {
    return transaction(this.#db, () => {
      const result = this.#sql
        .get(
          'INSERT INTO users (username, role, password_hash, display_name, created_at) VALUES (?, ?, ?, ?, ?)',
        )
        .run(u.username, u.role, u.passwordHash, u.displayName ?? '', nowIso(this.#clock.now()));
      const id = Number(result.lastInsertRowid);
      this.#setHouseholds(id, u.households ?? []);
      return this.getUser(id) as User;
    });
  }

  /** Updates within an open transaction or on its own; undefined fields are left alone. */
  updateUser(
    id: number,
    patch: {
      role?: Role;
      passwordHash?: string;
      displayName?: string;
      enabled?: boolean;
      households?: string[];
    },
  ): void {
    const u = this.getUser(id);
    if (!u) return;
    this.#sql
      .get('UPDATE users SET role = ?, display_name = ?, enabled = ? WHERE id = ?')
      .run(
        patch.role ?? u.role,
        patch.displayName ?? u.displayName,
        (patch.enabled ?? u.enabled) ? 1 : 0,
        id,
      );
    if (patch.passwordHash) {
      this.#sql.get('UPDATE users SET password_hash = ? WHERE id = ?').run(patch.passwordHash, id);
      this.#sql.get('DELETE FROM sessions WHERE user_id = ?').run(id);
    }
    if (patch.enabled === false) this.#sql.get('DELETE FROM sessions WHERE user_id = ?').run(id);
    if (patch.households) this.#setHouseholds(id, patch.households);
  }

  #setHouseholds(userId: number, households: readonly string[]): void {
    this.#sql.get('DELETE FROM user_households WHERE user_id = ?').run(userId);
    const insert = this.#sql.get('INSERT INTO user_households (user_id, household_id) VALUES (?, ?)');
    for (const h of new Set(households)) insert.run(userId, h);
  }

  deleteUser(id: number): boolean {
    return this.#sql.get('DELETE FROM users WHERE id = ?').run(id).changes > 0;
  }

  /** Opens a session; returns the bearer token (only its hash is stored). */
  openSession(userId: number, ttlMs: number): { token: string; expiresAt: number } {
    const token = randomBytes(32).toString('base64url');
    const now = this.#clock.now();
    const expiresAt = now + ttlMs;
    this.#sql
      .get('INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)')
      .run(tokenHash(token), userId, now, expiresAt);
    return { token, expiresAt };
  }

  /** The enabled user behind a live session token, or null. */
  sessionUser(token: string): (User & { expiresAt: number }) | null {
    const row = this.#sql
      .get('SELECT user_id, expires_at FROM sessions WHERE token_hash = ? AND expires_at > ?')
      .get(tokenHash(token), this.#clock.now());
    if (!row) return null;
    const user = this.getUser(Number(row.user_id));
    return user?.enabled ? { ...user, expiresAt: Number(row.expires_at) } : null;
  }

  closeSession(token: string): void {
    this.#sql.get('DELETE FROM sessions WHERE token_hash = ?').run(tokenHash(token));
  }

  #toResponder(r: Row): Responder {
    return {
      id: str(r.id),
      name: str(r.name),
      kind: str(r.kind) as ResponderKind,
      phone: str(r.phone),
      grids: jsonArray(r.grids),
      stationId: strOrNull(r.station_id),
      userId: r.user_id === null ? null : Number(r.user_id),
    };
  }

  listResponders(): Responder[] {
    return this.#sql
      .get('SELECT * FROM responders ORDER BY id')
      .all()
      .map((r) => this.#toResponder(r));
  }

  getResponder(id: string): Responder | null {
    const row = this.#sql.get('SELECT * FROM responders WHERE id = ?').get(id);
    return row ? this.#toResponder(row) : null;
  }

  upsertResponder(r: Responder): 'created' | 'updated' | 'unchanged' {
    const existing = this.getResponder(r.id);
    if (existing && JSON.stringify(existing) === JSON.stringify(r)) return 'unchanged';
    this.#sql
      .get(
        `INSERT INTO responders (id, name, kind, phone, grids, station_id, user_id) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, kind = excluded.kind, phone = excluded.phone,
           grids = excluded.grids, station_id = excluded.station_id, user_id = excluded.user_id`,
      )
      .run(r.id, r.name, r.kind, r.phone, JSON.stringify(r.grids), r.stationId, r.userId);
    return existing ? 'updated' : 'created';
  }

  deleteResponder(id: string): boolean {
    return this.#sql.get('DELETE FROM responders WHERE id = ?').run(id).changes > 0;
  }

  upsertStation(s: { id: string; name: string; lat?: number | null; lon?: number | null }): void {
    this.#sql
      .get(
        `INSERT INTO stations (id, name, lat, lon) VALUES (?, ?, ?, ?)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, lat = excluded.lat, lon = excluded.lon`,
      )
      .run(s.id, s.name, s.lat ?? null, s.lon ?? null);
  }

  listStations(): Array<{ id: string; name: string; lat: number | null; lon: number | null }> {
    return this.#sql
      .get('SELECT * FROM stations ORDER BY id')
      .all()
      .map((r) => ({
        id: str(r.id),
        name: str(r.name),
        lat: r.lat === null ? null : Number(r.lat),
        lon: r.lon === null ? null : Number(r.lon),
      }));
  }
}
