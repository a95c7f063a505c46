import { AlarmStore } from '../../alerts/alarm-store.ts';
import type { AwayStatus } from '../../alerts/away.ts';
import type { IncidentSummary } from '../../alerts/incidents/events.ts';
import { summary } from '../../alerts/incidents/model.ts';
import type { IncidentService } from '../../alerts/incidents/service.ts';
import { type Db, Statements } from '../../kernel/db.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import type { Contact, Household, Resident } from '../../kernel/registry/types.ts';
import { type DeviceState, deviceStates } from './device-states.ts';

export interface ResidentView {
  id: string;
  name: string;
  /** years, from the birth year and the hub's clock; null when the birth year is unknown */
  age: number | null;
  careNotes: string[];
  language: string;
}

/** all well / needs attention (a device problem or a non-emergency incident) / an emergency in progress */
export type HouseholdState = 'well' | 'attention' | 'alarm';

export interface HouseholdStatus {
  household: Household;
  residents: ResidentView[];
  contacts: Contact[];
  state: HouseholdState;
  /** why the state is not 'well': incident_emergency, incident_open, device_<issue> */
  reasons: string[];
  /** epoch ms of the last motion event from any motion sensor, null if none */
  lastMovementAt: number | null;
  devices: DeviceState[];
  /** the most urgent incident not resolved or cancelled (an emergency first, then the newest) */
  activeIncident: IncidentSummary | null;
  away: AwayStatus | null;
}

export interface HouseholdViewDeps {
  db: Db;
  registry: Registry;
  incidents: IncidentService | null;
  away: { status(householdId: string): AwayStatus } | null;
  now: () => number;
  /** writes the presence times the intake holds in memory (ingest Presence.flush) before they are read */
  flushPresence: () => void;
}

/** Residents as the consoles show them (age instead of birth year). */
export function residentViews(residents: readonly Resident[], now: number): ResidentView[] {
  const year = new Date(now).getUTCFullYear();
  return residents.map((r) => ({
    id: r.id,
    name: r.name,
    age: r.birthYear === null ? null : year - r.birthYear,
    careNotes: r.careNotes,
    language: r.language,
  }));
}

/** Reads for the consoles that join the registry, the store's presence/messages and incidents. */
export class HouseholdView {
  readonly #deps: HouseholdViewDeps;
  readonly #alarms: AlarmStore;
  readonly #sql: Statements;

  constructor(deps: HouseholdViewDeps) {
    this.#deps = deps;
    this.#alarms = new AlarmStore(deps.db);
    this.#sql = new Statements(deps.db);
  }

  devices(householdId: string): DeviceState[] {
    const { registry, flushPresence } = this.#deps;
    flushPresence();
    const devices = registry.devices.list([householdId]);
    return deviceStates(this.#sql, devices, this.#alarms.list({ householdId, openOnly: true }));
  }

  openAlarms(householdId: string) {
    return this.#alarms.list({ householdId, openOnly: true }).map((a) => ({
      id: a.id,
      type: a.type,
      class: a.class,
      severity: a.severity,
      openedAt: a.openedAt,
      count: a.count,
      explanation: a.explanation,
    }));
  }

  lastMovementAt(householdId: string): number | null {
    const { registry } = this.#deps;
    const last = this.#sql.get(
      "SELECT MAX(received_at) AS at FROM (SELECT received_at FROM messages WHERE device_id = ? AND channel = 'event' ORDER BY id DESC LIMIT 1)",
    );
    let newest: number | null = null;
    for (const d of registry.devices.list([householdId])) {
      if (d.type !== 'motion') continue;
      const at = (last.get(d.id) as { at: number | null } | undefined)?.at ?? null;
      if (at !== null && (newest === null || at > newest)) newest = at;
    }
    return newest;
  }

  status(household: Household): HouseholdStatus {
    const { registry, incidents, away, now } = this.#deps;
    const devices = this.devices(household.id);
    // The most urgent incident in progress: an emergency before the others, then the newest.
    const inProgress = incidents?.list({ householdId: household.id, active: true, limit: 50 }) ?? [];
    const active = inProgress.find((i) => i.class === 'emergency') ?? inProgress[0] ?? null;
    const reasons: string[] = [];
    if (active) reasons.push(active.class === 'emergency' ? 'incident_emergency' : 'incident_open');
    for (const d of devices) for (const issue of d.issues) reasons.push(`device_${issue}`);
    const state: HouseholdState =
      active?.class === 'emergency' ? 'alarm' : reasons.length > 0 ? 'attention' : 'well';
    return {
      household,
      residents: residentViews(registry.households.residents(household.id), now()),
      contacts: registry.households.contacts(household.id).sort((a, b) => a.priority - b.priority),
      state,
      reasons: [...new Set(reasons)],
      lastMovementAt: this.lastMovementAt(household.id),
      devices,
      activeIncident: active ? summary(active) : null,
      away: away?.status(household.id) ?? null,
    };
  }
}
