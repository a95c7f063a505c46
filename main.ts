import { createHub } from './hub.ts';
import { loadConfig } from './kernel/config.ts';
import { HubError } from './kernel/errors.ts';
import { createConsoleLogger } from './kernel/logger.ts';
import { removePidFile, writePidFile } from './kernel/pid-file.ts';
import { exitOnStopSignals } from './kernel/stop-signals.ts';

// The only place that reads process.env: everything else gets the frozen config.
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig({ env: process.env });
} catch (err) {
  process.stderr.write(`${err instanceof HubError ? err.message : String(err)}\n`);
  process.exit(2);
}

const log = createConsoleLogger(config.logLevel, config.logFormat, process.stdout);
const hub = createHub({ config, log });
await hub.start();
// Tells operator commands (restore) that a hub runs on this data directory; removed on a clean stop.
writePidFile(config.dataDir);

const { mqtt, mqtts, http } = hub.addresses();
const host = config.host.includes(':') ? `[${config.host}]` : config.host;
const lines = [
  '',
  `Elder-care telemetry hub is running (Node.js ${process.version}).`,
  `  MQTT            mqtt://${host}:${mqtt}`,
  mqtts
    ? `  MQTT over TLS   mqtts://${host}:${mqtts}`
    : '  MQTT over TLS   off (set HUB_MQTT_TLS_CERT and HUB_MQTT_TLS_KEY)',
  `  MQTT over WS    ws://${host}:${http}/mqtt`,
  `  Console & API   http://${host}:${http}/   (OpenAPI: /api/docs/json, health: /healthz, metrics: /metrics)`,
  `  Data            ${config.dataDir}`,
  hub.generatedAdminPassword
    ? `  Log in as       admin / ${hub.generatedAdminPassword}   (generated now and shown only this once)`
    : '  Log in as       admin with HUB_ADMIN_PASSWORD or the password printed at first start',
  '',
];
process.stdout.write(`${lines.join('\n')}\n`);

exitOnStopSignals({
  say: (line) => log.info(line),
  stop: async () => {
    await hub.stop();
    removePidFile(config.dataDir);
  },
});
