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
    /** bytes; a PUBLISH larger than this closes the connection before its body is buffered */
    mqttMaxPacketBytes: T.Integer({ minimum: 1024, default: 65536 }),
    /** connects per source address per minute before CONNACK 3 */
    mqttConnectsPerMinutePerAddress: T.Integer({ minimum: 1, default: 600 }),
    /** connects of one client id per minute before it is throttled as flapping */
    mqttConnectsPerMinutePerClient: T.Integer({ minimum: 1, default: 12 }),
    /** ms a slow subscriber may hold a write before aedes drops it */
    mqttDrainTimeoutMs: T.Integer({ minimum: 100, default: 10000 }),
    /** hours a console session lasts */
    sessionHours: T.Number({ minimum: 0.1, default: 12 }),
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
  if (problems.length > 0) {
    throw new HubError(
      'HUB_ERR_CONFIG',
      `invalid configuration:\n  ${[...new Set(problems)].join('\n  ')}`,
      problems,
    );
  }
  return Object.freeze(config);
}
