import type { Registry } from '../../kernel/registry/index.ts';
import type { SlaStore } from '../store/types.ts';
import type { SlaRow } from './sla-report.ts';

/**
 * The incidents opened in [from, to) (the room's SlaStore) with their household's grid, which is the
 * registry's (null when the household is gone).
 */
export async function readSlaRows(
  sla: Pick<SlaStore, 'incidentsOpened'>,
  households: Pick<Registry['households'], 'get'>,
  from: number,
  to: number,
): Promise<SlaRow[]> {
  const incidents = await sla.incidentsOpened(from, to);
  const grids = new Map<string, string | null>();
  for (const i of incidents) {
    if (!grids.has(i.householdId))
      grids.set(i.householdId, (await households.get(i.householdId))?.grid ?? null);
  }
  return incidents.map((i) => ({ ...i, grid: grids.get(i.householdId) ?? null }));
}
