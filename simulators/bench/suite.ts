/**
 * `npm run bench`: the benchmark suite, with modest bounded defaults (about 20 minutes in all). Runs
 * intake throughput against bare Aedes, alarm latency under background telemetry, concurrent
 * connections with memory per connection, the InfluxDB drain rate after an outage, a reconnect storm
 * after a crash (against bare Aedes too), SOS latency with the intake saturated, and one device's
 * backlog flush; prints a markdown report with the machine's description and writes it to
 * bench-results.md.
 * `--only intake,alarm,connections,drain,reconnect,sos,backlog` runs some of them; every size can be
 * given (see options). Not in the default set: `import` (SOS latency during a large import) and
 * `export` (a month of incidents exported).
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { type AlarmLatencyResult, benchAlarmLatency } from './alarm-latency.ts';
import { type BacklogOptions, backlogReport, benchBacklogFlush } from './backlog-flush.ts';
import { benchConnections, type ConnectionsResult } from './connections.ts';
import {
  benchImportPressure,
  IMPORT_PRESSURE_DEFAULTS,
  importPressureReport,
  importPressureSummary,
} from './import-pressure.ts';
import { benchIncidentExport, exportReport } from './incident-export.ts';
import { benchInfluxDrain, type DrainResult } from './influx-drain.ts';
import { benchIntake, type IntakeResult, intakeTable } from './intake.ts';
import { machineDescription } from './machine.ts';
import { benchReconnectStorm, type ReconnectOptions, reconnectReport } from './reconnect-storm.ts';
import { benchSosSaturation, type SosSaturationOptions, sosReport } from './sos-saturation.ts';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'intake,alarm,connections,drain,reconnect,sos,backlog' },
    out: { type: 'string', default: 'bench-results.md' },
    'intake-devices': { type: 'string', default: '1000' },
    'intake-duration': { type: 'string', default: '10' },
    'alarm-households': { type: 'string', default: '350' },
    'alarm-rate': { type: 'string', default: '5000,2000' },
    'alarm-sos': { type: 'string', default: '100' },
    'alarm-interval': { type: 'string', default: '100' },
    connections: { type: 'string', default: '20000' },
    'connections-ramp': { type: 'string', default: '2000' },
    'connections-max-ramp': { type: 'string', default: '1200' },
    'drain-outage': { type: 'string', default: '30' },
    // reconnect storm: devices (each its own secret); `--devices` is the same
    'reconnect-devices': { type: 'string' },
    devices: { type: 'string' },
    'reconnect-concurrency': { type: 'string', default: '500' },
    'reconnect-max': { type: 'string', default: '300' },
    'no-reconnect-bare': { type: 'boolean', default: false },
    // SOS latency with the intake saturated
    'sos-count': { type: 'string', default: '30' },
    'sos-interval': { type: 'string', default: '1000' },
    'sos-devices': { type: 'string', default: '1000' },
    'sos-saturate': { type: 'string', default: '10' },
    'sos-load-fraction': { type: 'string', default: '1' },
    // one device's backlog flush
    'backlog-messages': { type: 'string', default: '1000' },
    'backlog-max': { type: 'string', default: '600' },
    // SOS latency during a large import (`--only import`)
    'import-households': { type: 'string', default: '60000' },
    // a month of a county's incidents exported
    'export-incidents': { type: 'string', default: '30000' },
    'import-sos-interval': { type: 'string', default: '100' },
  },
});
const clamp = (v: string | undefined, min: number, max: number) => Math.max(min, Math.min(max, Number(v)));
const only = new Set((values.only ?? '').split(','));

const GOALS = { ratio: 0.5, alarmP99Ms: 50, alarmRate: 5000, connections: 20_000 };
const yes = (ok: boolean) => (ok ? 'met' : 'not met');
const started = new Date();
const summary: string[] = [];
const sections: string[] = [];
const log = (s: string) => process.stderr.write(`[bench] ${s}\n`);

if (only.has('intake')) {
  const o = {
    devices: clamp(values['intake-devices'], 1, 5000),
    durationS: clamp(values['intake-duration'], 1, 120),
    rate: 2000,
    window: 1,
  };
  log(`intake: ${o.devices} devices, ${o.durationS} s per run …`);
  const r: IntakeResult = await benchIntake(o);
  summary.push(
    `| intake throughput, hub / bare Aedes (saturated, same run) | ${r.ratio.toFixed(2)} (${r.hubMax.perSecond.toFixed(0)} / ${r.bareMax.perSecond.toFixed(0)} msg/s) | ≥ ${GOALS.ratio} | ${yes(r.ratio >= GOALS.ratio)} |`,
  );
  sections.push('### Intake throughput against bare Aedes', '', ...intakeTable(o, r), '');
}

if (only.has('alarm')) {
  // one run per background rate: the goal's 5,000 msg/s, and a lower rate the hub keeps up with
  const rates = (values['alarm-rate'] ?? '').split(',').map((r) => clamp(r, 0, 50_000));
  const rows: string[] = [];
  for (const rate of rates) {
    const o = {
      households: clamp(values['alarm-households'], 10, 5000),
      rate,
      sos: clamp(values['alarm-sos'], 1, 1000),
      intervalMs: clamp(values['alarm-interval'], 10, 10_000),
      warmupS: 3,
    };
    o.sos = Math.min(o.sos, o.households);
    log(`alarm latency: ${o.sos} SOS under ${o.rate} msg/s of telemetry from ${o.households} households …`);
    const r: AlarmLatencyResult = await benchAlarmLatency(o);
    const bg = r.background;
    const kept = bg.perSecond >= rate * 0.95;
    const goal = rate >= GOALS.alarmRate;
    summary.push(
      `| alarm latency, SOS PUBLISH → incidentOpened on a dispatcher's websocket, p50 / p99, ${rate} msg/s offered | ${r.p50Ms.toFixed(1)} / ${r.p99Ms.toFixed(1)} ms (${r.measured} SOS; ${bg.perSecond.toFixed(0)} msg/s acknowledged) | ${goal ? `p99 ≤ ${GOALS.alarmP99Ms} ms at ${GOALS.alarmRate} msg/s` : '—'} | ${goal ? yes(r.p99Ms <= GOALS.alarmP99Ms && kept && r.missing === 0) : '—'} |`,
    );
    rows.push(
      `| ${r.backgroundDevices} | ${rate} | ${bg.perSecond.toFixed(0)} | ${bg.p50Ms.toFixed(1)} / ${bg.p99Ms.toFixed(1)} | ${r.measured} | ${r.missing} | ${r.p50Ms.toFixed(1)} | ${r.p99Ms.toFixed(1)} | ${r.maxMs.toFixed(1)} |`,
    );
  }
  sections.push(
    '### Alarm latency under background telemetry',
    '',
    `Background: the motion and leak sensors and the other buttons of ${values['alarm-households']} households sending QoS 1 telemetry at the offered rate. SOS: ${values['alarm-sos']} presses, one every ${values['alarm-interval']} ms, each from another household's button, after 3 s of background load; latency from the PUBLISH to the \`incidentOpened\` frame on a dispatcher's \`/api/live\` websocket.`,
    '',
    '| background devices | offered msg/s | acknowledged msg/s | telemetry PUBACK p50 / p99 ms | SOS measured | missing | p50 ms | p99 ms | max ms |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows,
    '',
  );
}

if (only.has('connections')) {
  const o = {
    target: clamp(values.connections, 1, 60_000),
    rampPerS: clamp(values['connections-ramp'], 10, 10_000),
    perProcess: 5000,
    holdS: 10,
    maxRampS: clamp(values['connections-max-ramp'], 10, 3600),
  };
  log(`connections: ${o.target} at ${o.rampPerS}/s …`);
  const r: ConnectionsResult = await benchConnections(o);
  summary.push(
    `| concurrent device connections held by one hub process; memory per connection | ${r.hubConnectedAfterHold} of ${r.target}; ${r.kibPerConnection.toFixed(1)} KiB | ${GOALS.connections} | ${yes(r.hubConnectedAfterHold >= GOALS.connections)} |`,
  );
  sections.push(
    '### Concurrent connections',
    '',
    `${r.target} devices (8 per household) connected by ${r.processes} client processes from ${r.addresses.join(', ')}, ${o.rampPerS}/s, each subscribing to its command and error topics; held ${o.holdS} s.`,
    '',
    '| target | clients connected | clients failed | hub connected after ramp | after holding | ramp s | hub RSS idle MiB | hub RSS loaded MiB | KiB per connection |',
    '|---|---|---|---|---|---|---|---|---|',
    `| ${r.target} | ${r.clientsConnected} | ${r.clientsFailed} | ${r.hubConnected} | ${r.hubConnectedAfterHold} | ${r.rampS.toFixed(1)} | ${r.rssIdleMiB.toFixed(0)} | ${r.rssLoadedMiB.toFixed(0)} | ${r.kibPerConnection.toFixed(1)} |`,
    '',
    ...(r.lastError ? [`Last client error: \`${r.lastError}\``, ''] : []),
  );
}

if (only.has('drain')) {
  const o = { devices: 300, rate: 1000, durationS: 10, outageS: clamp(values['drain-outage'], 1, 300) };
  log(`InfluxDB drain: ${o.rate} msg/s, outage ${o.outageS} s …`);
  const r: DrainResult = await benchInfluxDrain(o);
  summary.push(
    `| InfluxDB drain rate after a ${o.outageS} s outage | ${r.drainPerS.toFixed(0)} lines/s (${(r.drainPerS / r.sustainedPerS).toFixed(1)} × the ${r.sustainedPerS.toFixed(0)} msg/s ingest) | — | — |`,
  );
  sections.push('### InfluxDB drain after an outage', '', '```', ...r.lines, '```', '');
}

if (only.has('reconnect')) {
  const o: ReconnectOptions = {
    devices: clamp(values['reconnect-devices'] ?? values.devices ?? '10000', 1, 60_000),
    perProcess: 5000,
    concurrency: clamp(values['reconnect-concurrency'], 1, 5000),
    maxS: clamp(values['reconnect-max'], 10, 3600),
    bare: !values['no-reconnect-bare'],
  };
  log(
    `reconnect storm: ${o.devices} devices with their own secrets, hub${o.bare ? ' and bare Aedes' : ''} …`,
  );
  const r = reconnectReport(o, await benchReconnectStorm(o));
  summary.push(r.summary);
  sections.push(...r.section);
}

if (only.has('sos')) {
  const o: SosSaturationOptions = {
    devices: clamp(values['sos-devices'], 1, 5000),
    sos: clamp(values['sos-count'], 1, 1000),
    intervalMs: clamp(values['sos-interval'], 10, 10_000),
    saturateS: clamp(values['sos-saturate'], 2, 120),
    warmupS: 3,
    loadFraction: clamp(values['sos-load-fraction'], 0.01, 2),
  };
  log(`SOS latency, intake saturated: ${o.sos} SOS, telemetry from ${o.devices} devices …`);
  const r = sosReport(o, await benchSosSaturation(o));
  summary.push(...r.summary);
  sections.push(...r.section);
}

if (only.has('backlog')) {
  const o: BacklogOptions = {
    messages: clamp(values['backlog-messages'], 1, 100_000),
    maxS: clamp(values['backlog-max'], 5, 3600),
  };
  log(`backlog flush: ${o.messages} queued QoS 1 telemetry messages from one device …`);
  const r = backlogReport(o, await benchBacklogFlush(o));
  summary.push(r.summary);
  sections.push(...r.section);
}

if (only.has('export')) {
  const o = { incidents: clamp(values['export-incidents'], 1, 200_000), households: 10_000 };
  log(`A month of incidents exported: ${o.incidents} incidents …`);
  const r = await benchIncidentExport(o);
  summary.push(
    `| a month's incident list exported (${r.incidents} incidents), CSV / JSON | ${(r.csvMs / 1000).toFixed(2)} / ${(r.jsonMs / 1000).toFixed(2)} s | < 5 s | ${yes(Math.max(r.csvMs, r.jsonMs) < 5000)} |`,
  );
  sections.push(...exportReport(r));
}

if (only.has('import')) {
  const o = {
    ...IMPORT_PRESSURE_DEFAULTS,
    households: clamp(values['import-households'], 1, 50_000),
    intervalMs: clamp(values['import-sos-interval'], 10, 10_000),
  };
  log(`SOS during an import: ${o.households} households × 3 devices, SOS every ${o.intervalMs} ms …`);
  const r = await benchImportPressure(o);
  summary.push(importPressureSummary(r));
  sections.push(...importPressureReport(r));
}

const report = [
  `## Benchmark results (${started.toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
  '',
  `Machine: ${machineDescription()}. Everything on loopback; the load generators share the cores with the hub.`,
  `Command: \`npm run bench -- ${process.argv.slice(2).join(' ')}\``.replace(' -- `', '`'),
  '',
  '| measure | result | goal | |',
  '|---|---|---|---|',
  ...summary,
  '',
  ...sections,
];
const text = `${report.join('\n')}\n`;
process.stdout.write(text);
writeFileSync(resolve(values.out ?? 'bench-results.md'), text);
log(`written to ${values.out}`);
