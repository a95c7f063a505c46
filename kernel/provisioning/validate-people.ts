/** Checks the responders and users of a provisioning document. */
import type { Registry } from '../registry/index.ts';
import { RESPONDER_KINDS, ROLES } from '../registry/types.ts';
import {
  idProblem,
  oneOfProblem,
  passwordProblem,
  phoneProblem,
  textProblem,
  usernameProblem,
} from './checks.ts';
import type { ImportDocument, Problems, ResponderEntry, UserEntry } from './model.ts';
import type { SeenIds } from './seen-ids.ts';

const MAX_NAME = 200; // characters

export async function validatePeople(
  doc: ImportDocument,
  registry: Registry,
  problems: Problems,
  seen: SeenIds,
): Promise<void> {
  const stations = new Set((await registry.people.listStations()).map((s) => s.id));
  for (const r of doc.responders) validateResponder(r, stations, problems, seen);
  const households = new Set(doc.households.map((h) => h.id));
  const householdKnown = async (id: string) =>
    households.has(id) || (await registry.households.get(id)) !== null;
  for (const u of doc.users) await validateUser(u, registry, householdKnown, problems, seen);
}

function validateResponder(
  r: ResponderEntry,
  stations: ReadonlySet<string>,
  problems: Problems,
  seen: SeenIds,
): void {
  const report = (field: string, reason: string | null) => {
    if (reason !== null) problems.at(r.origin, field, reason);
    return reason === null;
  };
  if (report('id', idProblem(r.id, 'responder id')))
    seen.claim('responder', r.id, r.origin, 'id', 'responder');
  report('name', textProblem(r.name, 'responder name', MAX_NAME));
  if (r.kind === '') report('kind', 'responder kind is required');
  else report('kind', oneOfProblem(r.kind, RESPONDER_KINDS, 'responder kind'));
  if (r.grids.some((g) => textProblem(g, 'grid', MAX_NAME) !== null)) {
    report('grids', `grids must be non-empty names of at most ${MAX_NAME} characters`);
  } else if (r.kind === 'grid_worker' && r.grids.length === 0) {
    report('grids', 'a grid worker needs at least one grid');
  }
  report('phone', phoneProblem(r.phone, 'responder phone'));
  if (r.station !== undefined && !stations.has(r.station)) {
    report(
      'station',
      `unknown station ${JSON.stringify(r.station)} (stations are set up in the console first)`,
    );
  }
}

async function validateUser(
  u: UserEntry,
  registry: Registry,
  householdKnown: (id: string) => Promise<boolean>,
  problems: Problems,
  seen: SeenIds,
): Promise<void> {
  const report = (field: string, reason: string | null) => {
    if (reason !== null) problems.at(u.origin, field, reason);
    return reason === null;
  };
  if (report('username', usernameProblem(u.username)))
    seen.claim('user', u.username, u.origin, 'username', 'user');
  if (u.role === '') report('role', 'role is required');
  else report('role', oneOfProblem(u.role, ROLES, 'role'));
  // The bootstrap administrator cannot be demoted by a file (that could lock everyone out).
  if (u.username === 'admin' && u.role !== '' && u.role !== 'admin')
    report('role', 'the admin user keeps the role admin');
  report('displayName', textProblem(u.displayName, 'display name', MAX_NAME, true));
  if (u.password !== undefined) report('password', passwordProblem(u.password));

  const unknown: string[] = [];
  for (const h of u.households ?? []) if (!(await householdKnown(h))) unknown.push(h);
  if (unknown.length > 0) {
    report('households', `unknown household ${unknown.join(', ')}: neither in this file nor in the hub`);
  }
  if (u.role === 'family') {
    const existing = await registry.people.userByName(u.username);
    const households = u.households ?? existing?.households ?? [];
    if (households.length === 0) report('households', 'a family user needs the households they may see');
  }
}
