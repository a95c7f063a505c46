import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Static, Type as T } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { HubError } from './errors.ts';

const Port = (defaultPort: number) => T.Integer({ minimum: 0, maximum: 65535, default: defaultPort });

/**
 * The one configuration schema. Keys are camelCase in a config file; each key `fooBar` is also read
 * from the environment variable `HUB_FOO_BAR`, which wins over the file.
 */
export const ConfigSchema = T.Object(
  {
    host: T.String({ default: '127.0.0.1', description: 'address the MQTT and HTTP listeners bind to' }),
    mqttPort: Port(1883),
    httpPort: Port(8080),
    mqttsPort: Port(8883),
    mqttTlsCert: T.Optional(
      T.String({ minLength: 1, description: 'PEM certificate file; enables MQTT over TLS' }),
    ),
    mqttTlsKey: T.Optional(T.String({ minLength: 1, description: 'PEM private key file' })),
    dataDir: T.String({ default: './data', minLength: 1 }),
    adminPassword: T.Optional(T.String({ minLength: 8 })),
    influxUrl: T.Optional(T.String({ pattern: '^https?://' })),
    influxDatabase: T.String({ default: 'eldercare', minLength: 1 }),
    influxToken: T.Optional(T.String()),
    /**
     * Write API: 'v2' = /api/v2/write (1.8+, 2.x, 3.x), 'v1' = /write (older 1.x), 'auto' = chosen from
     * /ping's X-Influxdb-Version header.
     */
    influxApi: T.Union([T.Literal('auto'), T.Literal('v1'), T.Literal('v2')], { default: 'auto' }),
    /** InfluxDB 2.x organisation for /api/v2/write (1.8 and 3.x ignore it); required for 2.x */
    influxOrg: T.Optional(T.String({ minLength: 1 })),
    /** lines per write request; a backlog after an outage drains in batches of this size */
    influxBatchLines: T.Integer({ minimum: 1, maximum: 50000, default: 5000 }),
    /** ms the writer waits after new data arrives so that one request carries many lines */
    influxLingerMs: T.Integer({ minimum: 0, default: 200 }),
    /** ms; ceiling of the exponential retry backoff (a Retry-After from InfluxDB is honoured as sent) */
    influxRetryMaxMs: T.Integer({ minimum: 1, default: 30000 }),
    /** ms one write request may take before it is abandoned and retried */
    influxTimeoutMs: T.Integer({ minimum: 100, default: 10000 }),
    /**
     * rows; outbox high-water mark (a row is ~0.3–1 KB on disk): above it the hub logs a warning and
     * sets hub_influx_outbox_above_high_water. Nothing is dropped: the outbox keeps growing.
     */
    influxOutboxMaxRows: T.Integer({ minimum: 1, default: 1000000 }),
    /**
     * minutes east of UTC of the households' local time (China Standard Time: 480): days of the history
     * (water use per day) start at local midnight. Whole hours only: the local history keeps hours.
     */
    historyUtcOffsetMinutes: T.Integer({ minimum: -720, maximum: 840, multipleOf: 60, default: 480 }),
    /**
     * node-cron expression of the daily SLA report (alerts/incidents/sla-daily.ts), which reports the local
     * day just ended. Read in the hub's local time: the fixed offset historyUtcOffsetMinutes (whole hours),
     * not the machine's time zone; default 00:05 local.
     */
    slaReportCron: T.String({ default: '5 0 * * *', minLength: 9 }),
    /** days an accepted message stays in the embedded store after InfluxDB and the local history have it */
    messageRetentionDays: T.Integer({ minimum: 1, default: 30 }),
    /** days quarantine, dead-letter and security-event rows are kept for operators */
    auditRetentionDays: T.Integer({ minimum: 1, default: 180 }),
    logLevel: T.Union(
      [
        T.Literal('fatal'),
        T.Literal('error'),
        T.Literal('warn'),
        T.Literal('info'),
        T.Literal('debug'),
        T.Literal('silent'),
      ],
      { default: 'info' },
    ),
    /**
     * how log lines are written: 'json' (one JSON object a line), 'pretty' (readable lines, pino-pretty),
     * 'auto' = pretty when the log's stream is a terminal, JSON otherwise (a pipe, a file, journald)
     */
    logFormat: T.Union([T.Literal('auto'), T.Literal('json'), T.Literal('pretty')], { default: 'auto' }),
    /** bytes; a PUBLISH larger than this closes the connection before its body is buffered */
    mqttMaxPacketBytes: T.Integer({ minimum: 1024, default: 65536 }),
    /** connects per source address per minute before CONNACK 3 */
    mqttConnectsPerMinutePerAddress: T.Integer({ minimum: 1, default: 600 }),
    /** connects of one client id per minute before it is throttled as flapping */
    mqttConnectsPerMinutePerClient: T.Integer({ minimum: 1, default: 12 }),
    /**
     * A device's sustained telemetry rate, messages per second (device-protocol.md: 5): QoS 1/2 above it
     * waits (the connection is not read meanwhile), QoS 0 above it is refused with rate_limited
     */
    deviceTelemetryPerSecond: T.Number({ exclusiveMinimum: 0, default: 5 }),
    /** telemetry messages a device may send at once above its sustained rate (device-protocol.md: 50) */
    deviceTelemetryBurst: T.Integer({ minimum: 1, default: 50 }),
    /** ms a slow subscriber may hold a write before aedes drops it */
    mqttDrainTimeoutMs: T.Integer({ minimum: 100, default: 10000 }),
    /** hours a console session lasts */
    sessionHours: T.Number({ minimum: 0.1, default: 12 }),
    /**
     * Outbound notification webhooks (hotline platforms, SMS or voice gateways): comma-separated http(s)
     * URLs, each gets every incident notification as a signed JSON POST; empty: no webhooks.
     */
    notifyWebhookUrls: T.String({
      default: '',
      pattern: '^$|^\\s*https?://[^,\\s]+(\\s*,\\s*https?://[^,\\s]+)*\\s*$',
    }),
    /** shared secret of the webhooks' HMAC-SHA256 signature (header X-Hub-Signature-256); required with URLs */
    notifyWebhookSecret: T.Optional(T.String({ minLength: 16 })),
    /** attempts per webhook delivery, the first included, before it is logged as failed */
    notifyWebhookMaxAttempts: T.Integer({ minimum: 1, maximum: 20, default: 8 }),
    /** ms before the 2nd webhook attempt; doubles per attempt, with jitter (half fixed, half random) */
    notifyWebhookRetryBaseMs: T.Integer({ minimum: 1, default: 2000 }),
    /** ms; ceiling of the webhook retry delay */
    notifyWebhookRetryMaxMs: T.Integer({ minimum: 1, default: 300000 }),
    /** ms one webhook request may take before it counts as a failed attempt */
    notifyWebhookTimeoutMs: T.Integer({ minimum: 100, default: 10000 }),
    /** ms between the live channel's clock frames (the consoles' countdowns follow the hub's clock) */
    liveSyncIntervalMs: T.Integer({ minimum: 50, default: 10000 }),
    /** bytes: a larger frame from a console closes its live socket (1009) */
    liveMaxMessageBytes: T.Integer({ minimum: 256, default: 4096 }),
    /** bytes queued to one console before it counts as too slow and is closed (1013; it reconnects and resyncs) */
    liveMaxBufferedBytes: T.Integer({ minimum: 65536, default: 1048576 }),
    /** further browser origins allowed on /api/live besides the hub's own (comma-separated, e.g. https://wall.example) */
    liveAllowedOrigins: T.String({ default: '' }),
    /**
     * further browser origins whose pages may change state through the API with the session cookie,
     * besides the hub's own (comma-separated, e.g. https://hub.example when a TLS proxy fronts the hub)
     */
    consoleAllowedOrigins: T.String({ default: '' }),
    /**
     * who may read /metrics and the OpenAPI document: 'none' (anyone who reaches the port: a private
     * network's Prometheus) or 'token' (Authorization: Bearer metricsToken)
     */
    /**
     * browser origins allowed to open MQTT over WebSocket at /mqtt besides the hub's own (comma-separated;
     * devices and gateways send no Origin and are not affected)
     */
    mqttWsAllowedOrigins: T.String({ default: '' }),
    metricsAuth: T.Union([T.Literal('none'), T.Literal('token')], { default: 'none' }),
    /** the bearer token of metricsAuth 'token' (at least 16 characters) */
    metricsToken: T.Optional(T.String({ minLength: 16 })),
  },
  { additionalProperties: false },
);

export type HubConfig = Readonly<Static<typeof ConfigSchema>>;

export const envName = (key: string) => `HUB_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

export interface ConfigSources {
  env?: Record<string, string | undefined>;
  /** path of a JSON config file; defaults to HUB_CONFIG from env */
  file?: string;
  /** values that win over file and env (tests) */
  overrides?: Record<string, unknown>;
}

function fromEnv(env: Record<string, string | undefined>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(ConfigSchema.properties)) {
    const raw = env[envName(key)];
    if (raw === undefined || raw === '') continue;
    const isNumeric =
      JSON.stringify(schema).includes('"type":"integer"') ||
      JSON.stringify(schema).includes('"type":"number"');
    out[key] = isNumeric && /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : raw;
  }
  return out;
}

/** Reads configuration once: defaults, then file, then environment, then overrides; validated, frozen. */
export function loadConfig(sources: ConfigSources = {}): HubConfig {
  const env = sources.env ?? {};
  const file = sources.file ?? env.HUB_CONFIG;
  let fromFile: Record<string, unknown> = {};
  if (file) {
    try {
      fromFile = JSON.parse(readFileSync(resolve(file), 'utf8')) as Record<string, unknown>;
    } catch (err) {
      throw new HubError('HUB_ERR_CONFIG', `config file ${file}: ${(err as Error).message}`);
    }
  }
  const merged = { ...fromFile, ...fromEnv(env), ...(sources.overrides ?? {}) };
  const withDefaults = Value.Default(ConfigSchema, structuredClone(merged));
  const problems = [...Value.Errors(ConfigSchema, withDefaults)].map((e) => {
    const key = e.path.replace(/^\//, '').split('/')[0] ?? '';
    const where = key in ConfigSchema.properties ? `${key} (${envName(key)})` : e.path || '/';
    return `${where}: ${e.message}`;
  });
  const config = withDefaults as Static<typeof ConfigSchema>;
  if (Boolean(config.mqttTlsCert) !== Boolean(config.mqttTlsKey)) {
    problems.push('mqttTlsCert (HUB_MQTT_TLS_CERT) and mqttTlsKey (HUB_MQTT_TLS_KEY): set both or neither');
  }
  if (config.notifyWebhookUrls.trim() !== '' && !config.notifyWebhookSecret) {
    problems.push(
      'notifyWebhookSecret (HUB_NOTIFY_WEBHOOK_SECRET): required when notifyWebhookUrls is set (webhooks are signed)',
    );
  }
  if (config.metricsAuth === 'token' && !config.metricsToken) {
    problems.push('metricsToken (HUB_METRICS_TOKEN): required when metricsAuth is token');
  }
  if (problems.length > 0) {
    throw new HubError(
      'HUB_ERR_CONFIG',
      `invalid configuration:\n  ${[...new Set(problems)].join('\n  ')}`,
      problems,
    );
  }
  return Object.freeze(config);
}
