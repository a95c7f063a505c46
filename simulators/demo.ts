/**
 * `npm run demo`: the hub on its embedded defaults, in this process, with ~20 simulated households
 * living their days 60 × faster than real time and a scenario (a fall, an SOS, a leak …) every two
 * minutes, so the consoles show real activity within a minute. Prints the console's address and the
 * demo logins. Ctrl-C stops everything cleanly.
 *
 * Options: --households N (20), --scale K (60: an hour a minute), --every S (120 s between scenarios),
 * --first S (15 s to the first scenario). HUB_ variables are honoured (HUB_DATA_DIR defaults to
 * ./demo-data here, HUB_ADMIN_PASSWORD to demo-admin, HUB_LOG_LEVEL to error).
 *
 * Stopping: the first Ctrl-C (or SIGTERM) stops the scenarios, the households and the hub within
 * STOP_GRACE_MS, whatever state the devices are in; a second one ends the process at once. A start that
 * fails (a device that cannot connect even after its retries, a port in use) says why and exits 1.
 */
import { parseArgs } from 'node:util';
import { type AlertSettings, alertSettings } from '../alerts/settings.ts';
import { createHub } from '../hub.ts';
import { loadConfig } from '../kernel/config.ts';
import { HubError } from '../kernel/errors.ts';
import { createConsoleLogger } from '../kernel/logger.ts';
import { exitOnStopSignals } from '../kernel/stop-signals.ts';
import { DEFAULT_ATTEMPTS } from './connect-retry.ts';
import { DayRunner } from './household/day-runner.ts';
import { createDemoPeople, DEMO_USERS } from './household/demo-people.ts';
import { SimHousehold } from './household/household.ts';
import { hubApi, login } from './household/hub-api.ts';
import { provisionHouseholds } from './household/provision.ts';
import { householdSpec } from './household/spec.ts';
import { ScenarioRotation } from './scenarios/rotation.ts';

const { values } = parseArgs({
  options: {
    households: { type: 'string', default: '20' },
    scale: { type: 'string', default: '60' },
    every: { type: 'string', default: '120' },
    first: { type: 'string', default: '15' },
  },
});
const clamp = (v: string | undefined, min: number, max: number) => Math.max(min, Math.min(max, Number(v)));
const HOUSEHOLDS = clamp(values.households, 1, 200);
const SCALE = clamp(values.scale, 1, 3600);
const EVERY_S = clamp(values.every, 1, 3600);
const FIRST_S = clamp(values.first, 0, 3600);

/**
 * The demo's thresholds, shorter than the defaults so timed rules play out in minutes of real hub time
 * (the hub runs on real time; only the households' days are compressed): 1 min still after a fall,
 * 5 min of continuous flow. Households whose resident is at risk of wandering have "night" all day,
 * so night-time wandering shows whatever the hour.
 */
const DEMO_OVERRIDES: Partial<AlertSettings> = { fallStillMs: 60_000, continuousFlowMs: 5 * 60_000 };
const WANDERING_OVERRIDES: Partial<AlertSettings> = { nightHours: { startHour: 0, endHour: 24 } };

const env = process.env;
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig({
    env,
    overrides: {
      ...(env.HUB_DATA_DIR ? {} : { dataDir: './demo-data' }),
      ...(env.HUB_ADMIN_PASSWORD ? {} : { adminPassword: 'demo-admin' }),
      // the demo prints its own lines (scenarios, incidents); the hub's JSON log only for errors
      ...(env.HUB_LOG_LEVEL ? {} : { logLevel: 'error' }),
    },
  });
} catch (err) {
  process.stderr.write(`${err instanceof HubError ? err.message : String(err)}\n`);
  process.exit(2);
}

const started = Date.now();
const say = (line: string) => {
  const s = Math.floor((Date.now() - started) / 1000);
  const stamp = `${String(Math.floor(s / 60)).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
  process.stdout.write(`[demo ${stamp}] ${line}\n`);
};
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** ms a stop may take before the process ends anyway: ending the devices and the hub takes < 1 s. */
const STOP_GRACE_MS = 4000;
/** households connected at a time: ~9 connections each, so a start is not one burst of ~180 CONNECTs */
const CONNECT_BATCH = 5;

const hub = createHub({
  config,
  log: createConsoleLogger(config.logLevel, config.logFormat, process.stdout),
});

// What a stop must end, filled in as the demo starts.
let stopping = false;
let hubStarted = false;
const households: SimHousehold[] = [];
let runner: DayRunner | null = null;
let rotation: ScenarioRotation | null = null;
const timers: NodeJS.Timeout[] = [];

async function stopDemo(): Promise<void> {
  stopping = true;
  for (const t of timers) clearTimeout(t);
  // The scenarios' waits and the day's timer end first; then the devices, so whatever a scenario or a
  // household's step still awaits fails at once instead of waiting for an acknowledgement (a device the
  // hub closed is ended without one: MQTT.js would otherwise wait for it to reconnect, for ever).
  const scenarios = rotation?.stop();
  const days = runner?.stop();
  await Promise.allSettled(households.map((h) => h.end()));
  await Promise.allSettled([scenarios, days]);
  if (hubStarted) await hub.stop();
  say(`stopped (${runner?.stepsDone ?? 0} household steps, ${rotation?.started ?? 0} scenarios)`);
}

exitOnStopSignals({ stop: stopDemo, say, graceMs: STOP_GRACE_MS });

async function startDemo(): Promise<void> {
  await hub.start();
  hubStarted = true;
  const { mqtt, http } = hub.addresses();
  const httpUrl = `http://127.0.0.1:${http}`;
  const mqttUrl = `mqtt://127.0.0.1:${mqtt}`;
  const adminPassword = config.adminPassword ?? hub.generatedAdminPassword ?? '';
  const api = hubApi(httpUrl, await login(httpUrl, 'admin', adminPassword));

  // Households: every 5th with a Zigbee2MQTT gateway, the 2nd and every 10th after it at risk of wandering.
  const specs = Array.from({ length: HOUSEHOLDS }, (_, i) =>
    householdSpec(i + 1, { prefix: 'D', gateway: (i + 1) % 5 === 0, wanderingRisk: (i + 1) % 10 === 2 }),
  );
  say(`provisioning ${HOUSEHOLDS} households through POST /api/import (one secret per device) …`);
  const secrets = await provisionHouseholds(api, specs);
  // A second run on the same data directory: the import answers no secrets for known devices; rotate them.
  for (const s of specs) {
    const own = [s.button, s.wristband, ...Object.values(s.motion), s.leak, s.meter];
    for (const id of own) {
      if (secrets.has(id)) continue;
      secrets.set(id, (await api.call<{ secret: string }>('POST', `/api/devices/${id}/secret`)).secret);
    }
    if (s.gateway && !secrets.has(s.gateway.id)) {
      const rotated = await api.call<{ secret: string }>('POST', `/api/gateways/${s.gateway.id}/secret`);
      secrets.set(s.gateway.id, rotated.secret);
    }
  }
  const settingsOf = new Map<string, AlertSettings>();
  for (const s of specs) {
    const overrides = {
      ...DEMO_OVERRIDES,
      ...(s.resident.careNotes.includes('wandering-risk') ? WANDERING_OVERRIDES : {}),
    };
    await api.call('PUT', `/api/households/${s.id}/alert-settings`, overrides);
    settingsOf.set(s.id, alertSettings(overrides));
  }
  await createDemoPeople(api, specs[0]?.id ?? 'hh-D0001', [...new Set(specs.map((s) => s.grid))]);

  let toldRetry = false;
  const onRetry = (what: string, _attempt: number, err: unknown) => {
    if (toldRetry) return;
    toldRetry = true;
    say(
      `${what}: ${messageOf(err)}; the hub is slow to answer, trying again (${DEFAULT_ATTEMPTS} tries a device)`,
    );
  };
  for (let i = 0; i < specs.length && !stopping; i += CONNECT_BATCH) {
    const batch = await Promise.allSettled(
      specs
        .slice(i, i + CONNECT_BATCH)
        .map((s) => new SimHousehold(s, mqttUrl, secrets).connect({ onRetry })),
    );
    for (const b of batch) if (b.status === 'fulfilled') households.push(b.value);
    const failed = batch.find((b) => b.status === 'rejected');
    if (failed) throw failed.reason;
  }
  if (stopping) return;
  hub.bus.on('incidentOpened', 'demo', (e) => {
    const i = e.incident;
    say(`incident opened: ${i.alarmType} in ${i.householdId} (${i.class}, ${i.severity})`);
  });
  // The simulated day starts at 06:00 in the households' local time (UTC+8 unless configured otherwise),
  // whatever the hour: the residents wake within the first minute.
  const offsetMs = config.historyUtcOffsetMinutes * 60_000;
  const DAY_MS = 24 * 3_600_000;
  const localMidnight = Math.floor((Date.now() + offsetMs) / DAY_MS) * DAY_MS - offsetMs;
  // Each problem once per household (a device the hub closed fails every heartbeat after it).
  const told = new Set<string>();
  const days = new DayRunner(households, localMidnight + 6 * 3_600_000, {
    utcOffsetMinutes: config.historyUtcOffsetMinutes,
    onError: (h, err) => {
      const line = `${h.id}: ${messageOf(err)}`;
      if (stopping || told.has(line)) return;
      told.add(line);
      say(line);
    },
  });
  runner = days;
  days.runRealtime(SCALE);
  const scenarios = new ScenarioRotation({
    households,
    runner: days,
    settings: (h) => settingsOf.get(h.id) ?? alertSettings(),
    log: say,
  });
  rotation = scenarios;

  const family = specs[0];
  process.stdout.write(
    [
      '',
      `Elder-care hub demo: ${HOUSEHOLDS} simulated households, their days ${SCALE} × faster than real time.`,
      `  Console & API   ${httpUrl}/`,
      `  MQTT            ${mqttUrl}`,
      `  Data            ${config.dataDir}`,
      '  Day             starts at 06:00 local time in the simulation',
      '  Log in as       (username / password)',
      `    admin         admin / ${adminPassword}`,
      ...DEMO_USERS.map(
        (u) =>
          `    ${u.role.padEnd(13)} ${u.username} / ${u.password}${u.role === 'family' ? `   (household ${family?.id}, ${family?.resident.name})` : ''}`,
      ),
      `  Scenarios       ${scenarios.names.join(', ')}: the first in ${FIRST_S} s, then one every ${EVERY_S} s`,
      '  Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );

  // The family's household gets the first scenario, so both consoles have something at once.
  timers.push(setTimeout(() => scenarios.next('sos-cancel', households[0]), FIRST_S * 1000));
  const every = setInterval(() => scenarios.next(), EVERY_S * 1000);
  every.unref();
  timers.push(every);
}

startDemo().catch((err: unknown) => {
  if (stopping) return; // a Ctrl-C during the start: the stop reports and exits
  say(`could not start: ${messageOf(err)}`);
  if ((err as { code?: unknown }).code === 'EADDRINUSE') {
    say('another hub or demo may be running: stop it, or set HUB_MQTT_PORT and HUB_HTTP_PORT');
  } else if (/could not connect/.test(messageOf(err))) {
    say('the machine may be too busy: try again, or with fewer households (--households 5)');
  }
  const deadline = setTimeout(() => process.exit(1), STOP_GRACE_MS);
  const exit = () => {
    clearTimeout(deadline);
    process.exit(1);
  };
  stopDemo().then(exit, exit);
});
