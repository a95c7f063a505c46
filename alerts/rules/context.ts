import type { CanonicalMessage } from '../../ingest/canonical.ts';
import type { HubEvents } from '../../kernel/bus.ts';
import type { Clock } from '../../kernel/clock.ts';
import type { Logger } from '../../kernel/logger.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import type { Evidence, Explanation } from '../alarm.ts';
import type { AlarmService } from '../alarms.ts';
import type { AwayService } from '../away.ts';
import type { Baselines } from '../baselines.ts';
import type { Explain } from '../explain.ts';
import type { LocalHours } from '../hours.ts';
import type { RuleState } from '../rule-state.ts';
import type { AlertSettings } from '../settings.ts';
import type { FiredTimer, RuleTimers } from '../timers.ts';

/** What every rule gets. */
export interface RuleContext {
  alarms: AlarmService;
  /** away-suppression: the inactivity and water-use rules hold their alarms while it is on */
  away: AwayService;
  /** personal baselines; `usable` is null before enough days exist (absolute fallbacks then) */
  baselines: Baselines;
  timers: RuleTimers;
  state: RuleState;
  /**
   * The settings of a household and, when known, its resident: the hub's defaults under the household's
   * overrides under the resident's (settings-overrides.ts). Rules read every threshold through this.
   */
  settingsFor(householdId: string, residentId?: string | null): Promise<AlertSettings>;
  hours: LocalHours;
  explain: Explain;
  registry: Registry;
  clock: Clock;
  log: Logger;
}

/**
 * A detection rule: reacts to accepted messages and presence; its timers are registered on creation.
 * Async (the store's interfaces are): index.ts awaits each rule in turn, inside the message's group
 * commit for `onMessage` and inside the away change's transaction for `onAwayEnded`.
 */
export interface Rule {
  name: string;
  onMessage?(m: CanonicalMessage): Promise<void>;
  onSilent?(e: HubEvents['deviceSilent']): Promise<void>;
  onHeard?(e: HubEvents['deviceHeard']): Promise<void>;
  /** A source of away-suppression ended: timers held back while away start their window again. */
  onAwayEnded?(e: HubEvents['awayEnded']): Promise<void>;
}

/** The device's resident, else the household's only resident, else null (a couple: the household). */
export async function residentOf(
  registry: Registry,
  householdId: string,
  deviceId: string | null,
): Promise<string | null> {
  const device = deviceId ? await registry.devices.get(deviceId) : null;
  if (device?.residentId) return device.residentId;
  const residents = await registry.households.residents(householdId);
  return residents.length === 1 ? (residents[0]?.id ?? null) : null;
}

/** The settings for the resident of a device (or the household's only resident), else the household's. */
export async function settingsOf(
  ctx: RuleContext,
  householdId: string,
  deviceId: string | null = null,
): Promise<AlertSettings> {
  return ctx.settingsFor(householdId, await residentOf(ctx.registry, householdId, deviceId));
}

/** Evidence of one accepted message, with the values that mattered. */
export function messageEvidence(
  m: CanonicalMessage,
  values: Record<string, number | boolean | string> = {},
): Evidence {
  return {
    kind: 'message',
    at: m.receivedAt,
    deviceId: m.deviceId,
    deviceType: m.deviceType,
    room: m.room,
    channel: m.channel,
    event: m.event?.name ?? null,
    values,
  };
}

/** The explanation, with the "fired late" suffix when its timer fell due while the hub was down. */
export function maybeLate(ctx: RuleContext, t: FiredTimer, base: Explanation): Explanation {
  return t.late ? ctx.explain.late(base, t.dueAt) : base;
}

export const isEvent = (m: CanonicalMessage, name: string): boolean =>
  m.channel === 'event' && m.event?.name === name;
