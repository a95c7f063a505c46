import type { Static } from '@sinclair/typebox';
import type { FastifyPluginAsync } from 'fastify';
import type { Alarm } from '../../alerts/alarm.ts';
import type { QuarantineBrief } from '../../ingest/queries/types.ts';
import type { DeadLetter } from '../../ingest/store/types.ts';
import type { Registry } from '../../kernel/registry/index.ts';
import { DISPATCH } from '../auth/guard.ts';
import type { RouteContext } from '../context.ts';
import { FleetSchema, type UnprotectedEntry } from '../response-schemas.ts';
import { SECURED } from '../schemas.ts';
import type { TypeBoxProvider } from '../type-provider.ts';

const tags = ['ops'];

type FleetHealth = Static<typeof FleetSchema>;

const DAY_MS = 86_400_000;
/** How many entries each list carries at most (the counts are exact). */
const LIST_LIMIT = 200;
const RECENT_LIMIT = 20;
/** The resident's lifeline: the call button and the wristband (SOS, fall, vitals). */
const LIFELINE = new Set(['button', 'wristband']);

interface PresenceRow {
  clientId: string;
  kind: string;
  state: string;
  lastSeenAt: number | null;
  silentSince: number | null;
}

interface FleetInputs {
  registry: Registry;
  presence: readonly PresenceRow[];
  openAlarms: readonly Alarm[];
  /** quarantined messages of the last 24 h per reason code, and the newest of them */
  quarantineByCode: Record<string, number>;
  recentQuarantine: readonly QuarantineBrief[];
  deadLetterTotal: number;
  recentDeadLetters: readonly DeadLetter[];
  now: number;
}

/** The device ids an alarm's evidence names (device alarms carry `deviceId` in their evidence entries). */
const devicesOf = (a: Alarm): string[] =>
  a.evidence
    .map((e) => (e as { deviceId?: unknown }).deviceId)
    .filter((id): id is string => typeof id === 'string');

const numberIn = (a: Alarm, key: string): number | null => {
  for (const e of a.evidence) {
    const values = (e as { values?: Record<string, unknown> }).values;
    const v = values?.[key] ?? (e as Record<string, unknown>)[key];
    if (typeof v === 'number') return v;
  }
  return null;
};

async function fleetHealth(x: FleetInputs): Promise<FleetHealth> {
  const devices = new Map((await x.registry.devices.list()).map((d) => [d.id, d]));
  const gateways = new Map((await x.registry.devices.listGateways()).map((g) => [g.id, g]));
  const presenceOf = new Map(x.presence.map((p) => [p.clientId, p]));

  const offline = x.presence
    .filter((p) => p.state === 'offline' || p.silentSince !== null)
    .filter((p) => devices.has(p.clientId) || gateways.has(p.clientId))
    .map((p) => {
      const d = devices.get(p.clientId);
      return {
        clientId: p.clientId,
        kind: p.kind,
        householdId: d?.householdId ?? gateways.get(p.clientId)?.householdId ?? null,
        type: d?.type ?? null,
        state: p.state === 'offline' ? 'offline' : 'silent',
        lastSeenAt: p.lastSeenAt,
        silentSince: p.silentSince,
      };
    })
    .sort((a, b) => (a.lastSeenAt ?? 0) - (b.lastSeenAt ?? 0));

  const batteryLow = x.openAlarms
    .filter((a) => a.type === 'battery_low')
    .map((a) => ({
      alarmId: a.id,
      householdId: a.householdId,
      deviceId: devicesOf(a)[0] ?? null,
      battery: numberIn(a, 'battery'),
      since: a.openedAt,
    }));

  // Unprotected: a lifeline device silent past its heartbeat (presence, or named by an open silence
  // alarm), or a wristband taken off (open wristband_removed alarm).
  const unprotected = new Map<string, Static<typeof UnprotectedEntry>>();
  const lifelineSilent = (deviceId: string, since: number | null) => {
    const d = devices.get(deviceId);
    if (!d || !LIFELINE.has(d.type) || unprotected.has(deviceId)) return;
    unprotected.set(deviceId, {
      householdId: d.householdId,
      residentId: d.residentId,
      deviceId,
      reason: 'lifeline_silent',
      since,
    });
  };
  for (const p of x.presence) if (p.silentSince !== null) lifelineSilent(p.clientId, p.silentSince);
  for (const a of x.openAlarms) {
    if (a.type !== 'device_silent') continue;
    // the alarm stays open until every silent device is heard: one heard again is protected again
    for (const id of devicesOf(a))
      if (presenceOf.get(id)?.silentSince !== null) lifelineSilent(id, a.openedAt);
  }
  for (const a of x.openAlarms) {
    if (a.type === 'wristband_removed') {
      const deviceId = devicesOf(a)[0] ?? null;
      const key = deviceId ?? `alarm:${a.id}`;
      if (unprotected.has(key)) continue; // silent and taken off: one unprotected resident, listed once
      unprotected.set(key, {
        householdId: a.householdId,
        residentId: a.residentId,
        deviceId,
        reason: 'wristband_removed',
        since: a.openedAt,
      });
    }
  }

  const byCode = x.quarantineByCode;
  const last24h = Object.values(byCode).reduce((a, n) => a + n, 0);
  const recentQuarantine = x.recentQuarantine.map((q) => ({ ...q }));
  const deadLetterTotal = x.deadLetterTotal;
  const recentDead = x.recentDeadLetters.map((d) => ({
    id: d.id,
    at: d.at,
    deviceId: d.deviceId,
    householdId: d.householdId,
    status: d.status,
    error: d.error,
  }));

  const unprotectedList = [...unprotected.values()];
  return {
    asOf: x.now,
    counts: {
      devices: devices.size,
      gateways: gateways.size,
      offline: offline.length,
      neverConnected: [...devices.keys()].filter((id) => !presenceOf.has(id)).length,
      batteryLow: batteryLow.length,
      unprotected: unprotectedList.length,
      quarantine24h: last24h,
      deadLetter: deadLetterTotal,
    },
    offline: offline.slice(0, LIST_LIMIT),
    batteryLow: batteryLow.slice(0, LIST_LIMIT),
    unprotected: unprotectedList.slice(0, LIST_LIMIT),
    quarantine: { last24h, byCode, recent: recentQuarantine },
    deadLetter: { total: deadLetterTotal, recent: recentDead },
  };
}

/**
 * Fleet health (issue 7) for the supervisor's screen: devices offline or silent, batteries low, residents
 * unprotected (call button or wristband silent, wristband taken off), quarantined input of the last 24 h
 * and dead-lettered telemetry. Read from the store each time (a few indexed queries).
 */
export function fleetRoutes(ctx: RouteContext): FastifyPluginAsync {
  return async (instance) => {
    const app = instance.withTypeProvider<TypeBoxProvider>();
    app.get(
      '/fleet',
      {
        preHandler: ctx.guard.requireRole(DISPATCH),
        schema: {
          tags,
          summary:
            'Fleet health: devices offline or silent, batteries low, residents unprotected, quarantine (24 h) and dead letter',
          security: SECURED,
          response: { 200: FleetSchema },
        },
      },
      async (): Promise<FleetHealth> => {
        const now = ctx.clock.now();
        const since = now - DAY_MS;
        const { queries } = ctx.ingest;
        const [presence, openAlarms, quarantineByCode, recentQuarantine, deadLetterTotal, recentDeadLetters] =
          await Promise.all([
            ctx.ingest.presence.list(),
            ctx.alerts.openAlarms({ limit: 100_000 }),
            queries.quarantineSummary(since),
            queries.recentQuarantine(since, RECENT_LIMIT),
            queries.deadLetterCount(),
            queries.deadLetters({ limit: RECENT_LIMIT }),
          ]);
        return fleetHealth({
          registry: ctx.registry,
          presence,
          openAlarms,
          quarantineByCode,
          recentQuarantine,
          deadLetterTotal,
          recentDeadLetters,
          now,
        });
      },
    );
  };
}
