import type { IncidentEvents } from '../../alerts/incidents/events.ts';
import type { Incident } from '../../alerts/incidents/model.ts';
import type { Clock } from '../../kernel/clock.ts';
import { until } from '../../simulators/device.ts';
import { SimButton } from '../../simulators/device-types.ts';
import { type AlertsHub, startAlertsHub } from './alerts.ts';
import { type Api, apiClient, userWithToken } from './api.ts';

export type Escalation = IncidentEvents['incidentEscalated'];

export interface IncidentsHub extends AlertsHub {
  api: Api;
  adminToken: string;
  opened: Array<IncidentEvents['incidentOpened']>;
  updated: Array<IncidentEvents['incidentUpdated']>;
  escalated: Escalation[];
  /** connects a call button (household hh-test unless given), provisioned on first use */
  button(id: string, householdId?: string): Promise<SimButton>;
  /** presses SOS and waits until the incident events count reaches `opened` opened / `updated` updated */
  sos(button: SimButton, wait: { opened?: number; updated?: number }): Promise<void>;
  /** a console user of a role (and households for family); returns the token and user id */
  user(username: string, role: string, households?: string[]): Promise<{ token: string; id: number }>;
  /** a responder record linked to a console user */
  responder(id: string, userId: number | null): Promise<void>;
  /** the incident, through the room's service */
  incident(id: string): Promise<Incident>;
}

/** A real hub with a ManualClock (household hh-test, resident res-1), recording the incident events. */
export async function startIncidentsHub(clock: Clock, dataDir?: string): Promise<IncidentsHub> {
  const h = await startAlertsHub(clock, dataDir);
  const api = apiClient(h.t.httpUrl);
  const adminToken = await h.t.login();
  const opened: IncidentsHub['opened'] = [];
  const updated: IncidentsHub['updated'] = [];
  const escalated: Escalation[] = [];
  h.t.hub.bus.on('incidentOpened', 'test', (e) => {
    opened.push(e);
  });
  h.t.hub.bus.on('incidentUpdated', 'test', (e) => {
    updated.push(e);
  });
  h.t.hub.bus.on('incidentEscalated', 'test', (e) => {
    escalated.push(e);
  });
  const joined = () => updated.filter((u) => u.change === 'alarm_joined').length;
  return {
    ...h,
    api,
    adminToken,
    opened,
    updated,
    escalated,
    async button(id, householdId = 'hh-test') {
      const secret = await h.t.provisionDevice({ id, type: 'button', householdId });
      return new SimButton({ url: h.t.mqttUrl, id, secret }).connect();
    },
    async sos(button, wait) {
      await button.sos();
      await until(
        () => opened.length >= (wait.opened ?? 0) && joined() >= (wait.updated ?? 0),
        3000,
        `incident events ${JSON.stringify(wait)}`,
      );
    },
    async user(username, role, households) {
      const token = await userWithToken(h.t, api, adminToken, {
        username,
        role,
        ...(households ? { households } : {}),
      });
      const found = await h.t.hub.registry.people.userByName(username);
      if (!found) throw new Error(`user ${username} not created`);
      return { token, id: found.id };
    },
    async responder(id, userId) {
      await h.t.hub.registry.people.upsertResponder({
        id,
        name: `responder ${id}`,
        kind: 'grid_worker',
        phone: '13800000000',
        grids: ['grid-1'],
        stationId: null,
        userId,
      });
    },
    async incident(id) {
      const i = await h.t.hub.alerts.incidents.get(id);
      if (!i) throw new Error(`no incident ${id}`);
      return i;
    },
  };
}
