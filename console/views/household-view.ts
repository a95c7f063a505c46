import type { AwayStatus } from '../../alerts/away.ts';
import type { IncidentSummary } from '../../alerts/incidents/events.ts';
import { summary } from '../../alerts/incidents/model.ts';
import type { IncidentService } from '../../alerts/incidents/service.ts';
import type { AlertsQueries } from '../../alerts/queries/types.ts';
import type { IngestQueries } from '../../ingest/queries/types.ts';
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
  registry: Registry;
  /** the ingest room's queries: presence, battery, faults, last events */
  ingest: Pick<IngestQueries, 'devicesState' | 'latestEventAt'>;
  /** the alerts room's queries: open alarms */
  alerts: Pick<AlertsQueries, 'openAlarms'>;
  incidents: IncidentService | null;
  away: { status(householdId: string): Promise<AwayStatus> } | null;
  now: () => number;
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

/**
 * Reads for the consoles that join the registry, the ingest room's presence/messages and the alerts
 * room's alarms and incidents (through their query interfaces).
 */
export class HouseholdView {
  readonly #deps: HouseholdViewDeps;

  constructor(deps: HouseholdViewDeps) {
    this.#deps = deps;
  }

  async devices(householdId: string): Promise<DeviceState[]> {
    const { registry, ingest, alerts } = this.#deps;
    const devices = await registry.devices.list([householdId]);
    const [states, openAlarms] = await Promise.all([
      ingest.devicesState(devices.map((d) => d.id)),
      alerts.openAlarms({ householdId }),
    ]);
    return deviceStates(devices, states, openAlarms);
  }

  async openAlarms(householdId: string) {
    return (await this.#deps.alerts.openAlarms({ householdId })).map((a) => ({
      id: a.id,
      type: a.type,
      class: a.class,
      severity: a.severity,
      openedAt: a.openedAt,
      count: a.count,
      explanation: a.explanation,
    }));
  }

  /** The newest of the motion sensors' latest events. */
  async lastMovementAt(householdId: string): Promise<number | null> {
    const { registry, ingest } = this.#deps;
    const motion = (await registry.devices.list([householdId])).filter((d) => d.type === 'motion');
    return ingest.latestEventAt(motion.map((d) => d.id));
  }

  async status(household: Household): Promise<HouseholdStatus> {
    const { registry, incidents, away, now } = this.#deps;
    const [devices, lastMovementAt, residents, contacts] = await Promise.all([
      this.devices(household.id),
      this.lastMovementAt(household.id),
      registry.households.residents(household.id),
      registry.households.contacts(household.id),
    ]);
    // The most urgent incident in progress: an emergency before the others, then the newest.
    const inProgress = (await incidents?.list({ householdId: household.id, active: true, limit: 50 })) ?? [];
    const active = inProgress.find((i) => i.class === 'emergency') ?? inProgress[0] ?? null;
    const reasons: string[] = [];
    if (active) reasons.push(active.class === 'emergency' ? 'incident_emergency' : 'incident_open');
    for (const d of devices) for (const issue of d.issues) reasons.push(`device_${issue}`);
    const state: HouseholdState =
      active?.class === 'emergency' ? 'alarm' : reasons.length > 0 ? 'attention' : 'well';
    return {
      household,
      residents: residentViews(residents, now()),
      contacts: contacts.sort((a, b) => a.priority - b.priority),
      state,
      reasons: [...new Set(reasons)],
      lastMovementAt,
      devices,
      activeIncident: active ? summary(active) : null,
      away: (await away?.status(household.id)) ?? null,
    };
  }
}
