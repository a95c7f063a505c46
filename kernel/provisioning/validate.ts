/**
 * Checks a parsed document against the contract and the registry before anything is written: every
 * problem is collected (not just the first), each with its line.
 */
import { DEVICE_TYPES, ROOMS } from '../contract.ts';
import type { Registry } from '../registry/index.ts';
import { SHARING_LEVELS } from '../registry/types.ts';
import {
  birthYearProblem,
  friendlyNameProblem,
  idProblem,
  locationProblem,
  mqttIdProblem,
  oneOfProblem,
  phoneProblem,
  sosActionsProblem,
  textProblem,
} from './checks.ts';
import type { DeviceEntry, GatewayEntry, HouseholdEntry, ImportDocument, Origin, Problems } from './model.ts';
import { SeenIds } from './seen-ids.ts';
import { validatePeople } from './validate-people.ts';

const MAX_ADDRESS = 500; // characters
const MAX_NAME = 200;
const MAX_NOTE = 2000;
// BCP 47-like language tag such as zh, zh-Hans, en-GB
const LANGUAGE = /^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$/;

export async function validateDocument(
  doc: ImportDocument,
  registry: Registry,
  problems: Problems,
  currentYear: number,
): Promise<void> {
  const seen = new SeenIds(problems);
  for (const h of doc.households) await validateHousehold(h, { registry, problems, seen, currentYear });
  await validatePeople(doc, registry, problems, seen);
}

interface Ctx {
  registry: Registry;
  problems: Problems;
  seen: SeenIds;
  currentYear: number;
}

function check(ctx: Ctx, origin: Origin, field: string, reason: string | null): boolean {
  if (reason !== null) ctx.problems.at(origin, field, reason);
  return reason === null;
}

async function validateHousehold(h: HouseholdEntry, ctx: Ctx): Promise<void> {
  const { registry, problems } = ctx;
  if (check(ctx, h.origin, 'id', idProblem(h.id, 'household id'))) {
    ctx.seen.claim('household', h.id, h.origin, 'id', 'household');
  }
  check(ctx, h.origin, 'address', textProblem(h.address, 'address', MAX_ADDRESS, false, true));
  check(ctx, h.origin, 'grid', textProblem(h.grid, 'grid', MAX_NAME));
  if (h.location) check(ctx, h.origin, 'location', locationProblem(h.location));
  if (h.sharing !== undefined)
    check(ctx, h.origin, 'sharing', oneOfProblem(h.sharing, SHARING_LEVELS, 'sharing'));
  check(ctx, h.origin, 'notes', textProblem(h.notes, 'notes', MAX_NOTE, true));

  for (const r of h.residents) {
    if (check(ctx, r.origin, 'id', idProblem(r.id, 'resident id'))) {
      ctx.seen.claim('resident', r.id, r.origin, 'id', 'resident');
      const existing = await registry.households.getResident(r.id);
      if (existing && existing.householdId !== h.id) {
        problems.at(r.origin, 'id', `resident ${r.id} already belongs to household ${existing.householdId}`);
      }
    }
    check(ctx, r.origin, 'name', textProblem(r.name, 'resident name', MAX_NAME));
    if (r.birthYear !== undefined)
      check(ctx, r.origin, 'birthYear', birthYearProblem(r.birthYear, ctx.currentYear));
    if (r.careNotes?.some((n) => n === '' || n.length > MAX_NAME)) {
      problems.at(
        r.origin,
        'careNotes',
        `care notes must be non-empty texts of at most ${MAX_NAME} characters`,
      );
    }
    if (r.language !== undefined && !LANGUAGE.test(r.language)) {
      problems.at(
        r.origin,
        'language',
        `language ${JSON.stringify(r.language)} is not a language tag such as zh`,
      );
    }
  }

  const phones = new Map<string, number>();
  for (const c of h.contacts) {
    check(ctx, c.origin, 'name', textProblem(c.name, 'contact name', MAX_NAME));
    if (check(ctx, c.origin, 'phone', phoneProblem(c.phone, 'contact phone'))) {
      const first = phones.get(c.phone);
      if (first !== undefined)
        problems.at(c.origin, 'phone', `the same contact phone is listed on line ${first}`);
      else phones.set(c.phone, c.origin.line);
    }
    check(ctx, c.origin, 'relation', textProblem(c.relation, 'relation', MAX_NAME, true));
    if (c.priority !== undefined && !(Number.isInteger(c.priority) && c.priority >= 1 && c.priority <= 99)) {
      problems.at(c.origin, 'priority', 'priority must be a whole number from 1 (called first) to 99');
    }
  }

  // A device may name a resident of its own household: in this file or already in the hub.
  const residents = new Set([
    ...h.residents.map((r) => r.id),
    ...(await registry.households.residents(h.id)).map((r) => r.id),
  ]);
  for (const d of h.devices) await validateDevice(d, h, residents, false, ctx);
  const names = new Map<string, number>(); // gateway id + friendly name → line
  for (const g of h.gateways) {
    await validateGateway(g, h, ctx);
    for (const d of g.devices) {
      await validateDevice(d, h, residents, true, ctx);
      await validateFriendlyName(d, g, names, ctx);
    }
  }
}

async function validateDevice(
  d: DeviceEntry,
  h: HouseholdEntry,
  residents: ReadonlySet<string>,
  behindGateway: boolean,
  ctx: Ctx,
): Promise<void> {
  const { registry, problems } = ctx;
  if (check(ctx, d.origin, 'id', mqttIdProblem(d.id, 'device id'))) {
    // Devices and gateways share one id space: the MQTT client id.
    ctx.seen.claim('mqtt', d.id, d.origin, 'id', 'device');
    const existing = await registry.devices.get(d.id);
    if (existing && existing.householdId !== h.id) {
      problems.at(d.origin, 'id', `device ${d.id} already belongs to household ${existing.householdId}`);
    } else if (!existing && (await registry.mqttIdTaken(d.id))) {
      problems.at(d.origin, 'id', `id ${d.id} is already taken by a gateway in the hub`);
    } else if (behindGateway && (await registry.devices.identity(d.id))?.kind === 'device') {
      // Its secret would stay valid although a Zigbee device never connects itself.
      problems.at(
        d.origin,
        'id',
        `device ${d.id} connects with its own secret; delete it before moving it behind a gateway`,
      );
    }
  }
  if (d.type === '') problems.at(d.origin, 'type', 'device type is required');
  else check(ctx, d.origin, 'type', oneOfProblem(d.type, DEVICE_TYPES, 'device type'));
  if (d.room !== undefined) check(ctx, d.origin, 'room', oneOfProblem(d.room, ROOMS, 'room'));
  if (d.sosActions !== undefined) {
    if (!behindGateway || d.type !== 'button') {
      problems.at(d.origin, 'sosActions', 'sosActions is only for a button behind a gateway');
    } else check(ctx, d.origin, 'sosActions', sosActionsProblem(d.sosActions));
  }
  if (d.resident !== undefined && !residents.has(d.resident)) {
    problems.at(
      d.origin,
      'resident',
      `resident ${JSON.stringify(d.resident)} is not a resident of household ${h.id}`,
    );
  }
}

async function validateGateway(g: GatewayEntry, h: HouseholdEntry, ctx: Ctx): Promise<void> {
  const { registry, problems } = ctx;
  if (!check(ctx, g.origin, 'id', mqttIdProblem(g.id, 'gateway id'))) return;
  ctx.seen.claim('mqtt', g.id, g.origin, 'id', 'gateway');
  const existing = await registry.devices.getGateway(g.id);
  if (existing && existing.householdId !== h.id) {
    problems.at(g.origin, 'id', `gateway ${g.id} already belongs to household ${existing.householdId}`);
  } else if (!existing && (await registry.mqttIdTaken(g.id))) {
    problems.at(g.origin, 'id', `id ${g.id} is already taken by a device in the hub`);
  }
}

/** A friendly name addresses one device of a gateway: unique per gateway, in the file and in the hub. */
async function validateFriendlyName(
  d: DeviceEntry,
  g: GatewayEntry,
  names: Map<string, number>,
  ctx: Ctx,
): Promise<void> {
  const name = d.friendlyName ?? '';
  if (!check(ctx, d.origin, 'friendlyName', friendlyNameProblem(name))) return;
  const key = `${g.id}\u0000${name}`;
  const first = names.get(key);
  if (first !== undefined) {
    ctx.problems.at(
      d.origin,
      'friendlyName',
      `gateway ${g.id} already has a device named ${name} (line ${first})`,
    );
    return;
  }
  names.set(key, d.origin.line);
  const holder = await ctx.registry.devices.byFriendlyName(g.id, name);
  if (holder && holder.id !== d.id) {
    ctx.problems.at(
      d.origin,
      'friendlyName',
      `gateway ${g.id} already has device ${holder.id} named ${name} in the hub`,
    );
  }
}
