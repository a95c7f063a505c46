/**
 * `npm run demo`: the hub on its embedded defaults, in this process, with ~20 simulated households
 * living their days 60 × faster than real time and a scenario (a fall, an SOS, a leak …) every two
 * minutes, so the consoles show real activity within a minute. Prints the console's address and the
 * demo logins. Ctrl-C stops everything cleanly.
 *
 * Options: --households N (20), --scale K (60: an hour a minute), --every S (120 s between scenarios),
 * --first S (15 s to the first scenario). HUB_ variables are honoured (HUB_DATA_DIR defaults to
 * ./demo-data here, HUB_ADMIN_PASSWORD to demo-admin, HUB_LOG_LEVEL to error).
 */
import { parseArgs } from 'node:util';
import { type AlertSettings, alertSettings } from '../alerts/settings.ts';
import { createHub } from '../hub.ts';
import { loadConfig } from '../kernel/config.ts';
import { HubError } from '../kernel/errors.ts';
import { createLogger } from '../kernel/logger.ts';
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

const hub = createHub({ config, log: createLogger(config.logLevel) });
await hub.start();
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

const households = await Promise.all(specs.map((s) => new SimHousehold(s, mqttUrl, secrets).connect()));
hub.bus.on('incidentOpened', 'demo', (e) => {
  const i = e.incident;
  say(`incident opened: ${i.alarmType} in ${i.householdId} (${i.class}, ${i.severity})`);
});
// The simulated day starts at 06:00 in the households' local time (UTC+8 unless configured otherwise),
// whatever the hour: the residents wake within the first minute.
const offsetMs = config.historyUtcOffsetMinutes * 60_000;
const DAY_MS = 24 * 3_600_000;
const localMidnight = Math.floor((Date.now() + offsetMs) / DAY_MS) * DAY_MS - offsetMs;
const runner = new DayRunner(households, localMidnight + 6 * 3_600_000, {
  utcOffsetMinutes: config.historyUtcOffsetMinutes,
  onError: (h, err) => say(`${h.id}: ${String(err)}`),
});
runner.runRealtime(SCALE);
const rotation = new ScenarioRotation({
  households,
  runner,
  settings: (h) => settingsOf.get(h.id) ?? alertSettings(),
  log: say,
});

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
    `  Scenarios       ${rotation.names.join(', ')}: the first in ${FIRST_S} s, then one every ${EVERY_S} s`,
    '  Stop with Ctrl-C.',
    '',
  ].join('\n'),
);

// The family's household gets the first scenario, so both consoles have something at once.
const first = setTimeout(() => rotation.next('sos-cancel', households[0]), FIRST_S * 1000);
const every = setInterval(() => rotation.next(), EVERY_S * 1000);
every.unref();

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    say('stopping …');
    clearTimeout(first);
    clearInterval(every);
    const stop = async () => {
      await rotation.stop();
      await runner.stop();
      await Promise.allSettled(households.map((h) => h.end()));
      await hub.stop();
    };
    stop().then(
      () => {
        say(`stopped (${runner.stepsDone} household steps, ${rotation.started} scenarios)`);
        process.exit(0);
      },
      (err: unknown) => {
        process.stderr.write(`stop failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  });
}
