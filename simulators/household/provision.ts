import type { HubApi } from './hub-api.ts';
import { type HouseholdSpec, provisioningEntry } from './spec.ts';

export interface ImportAnswer {
  ok: boolean;
  problems: Array<{ line: number; path: string; reason: string }>;
  secrets: Array<{ id: string; secret: string }>;
}

/**
 * Provisions households with their devices and gateways through `POST /api/import` (admin), the way a
 * county imports its list: every device and gateway gets its own secret, answered once and kept here
 * (id → secret) for the simulators to connect with. Importing the same households again changes nothing
 * and answers no secrets.
 */
export async function provisionHouseholds(
  api: HubApi,
  specs: HouseholdSpec[],
  extra: { users?: unknown[]; responders?: unknown[] } = {},
): Promise<Map<string, string>> {
  const doc = { households: specs.map(provisioningEntry), ...extra };
  // A refused import answers 4xx with every problem: call() throws with the answer's text.
  const answer = await api.call<ImportAnswer>('POST', '/api/import', doc, [200]);
  return new Map(answer.secrets.map((s) => [s.id, s.secret]));
}
