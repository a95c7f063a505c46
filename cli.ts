/**
 * Operator commands: `npm run hub -- <command> [arguments]`. A thin dispatcher; each command lives
 * with the part of the hub it works on. Configuration is read the same way as main.ts (file and
 * HUB_* environment variables), and only when a command needs it.
 */
import { createSqliteSessionStore } from './console/store/sqlite.ts';
import { backupCommand, restoreCommand } from './kernel/backup/command.ts';
import { systemClock } from './kernel/clock.ts';
import { type HubConfig, loadConfig } from './kernel/config.ts';
import type { Db } from './kernel/db.ts';
import { HubError } from './kernel/errors.ts';
import { createConsoleLogger, type Logger } from './kernel/logger.ts';
import type { RoomMigrations } from './kernel/migrate.ts';
import { importCommand } from './kernel/provisioning/command.ts';
import { HUB_MIGRATIONS } from './migrations.ts';

interface CliContext {
  config(): HubConfig;
  /** logs go to stderr, so stdout carries only the command's own output */
  log(): Logger;
  migrations(): readonly RoomMigrations[];
  /** the console's sessions on a store the command opened: a user given a new password loses theirs */
  endSessions(db: Db): (userId: number) => Promise<void>;
  out(line: string): void;
  err(line: string): void;
}

interface Command {
  usage: string;
  summary: string;
  /** resolves to the process exit code */
  run(args: readonly string[], ctx: CliContext): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  import: importCommand,
  backup: backupCommand,
  restore: restoreCommand,
};

const EXIT_USAGE = 2;

/**
 * A command prints what it did itself, so its log carries only warnings and errors unless HUB_LOG_LEVEL
 * asks for more: at `info` a new data directory would print one line per migration applied.
 */
function commandLogLevel(config: HubConfig, levelSet: boolean): string {
  const quiet = ['warn', 'error', 'fatal', 'silent'];
  return levelSet || quiet.includes(config.logLevel) ? config.logLevel : 'warn';
}

function usage(): string {
  const width = Math.max(...Object.values(COMMANDS).map((c) => c.usage.length), 'help'.length);
  return [
    'usage: npm run hub -- <command> [arguments]',
    '',
    'commands:',
    ...Object.values(COMMANDS).map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  show this help`,
    '',
    'Configuration comes from HUB_CONFIG (a JSON file) and HUB_* environment variables, as for the hub',
    '(e.g. HUB_DATA_DIR=./data).',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const command = name === undefined ? undefined : COMMANDS[name];
  if (!command) {
    process.stderr.write(
      `${name === undefined ? 'no command given' : `unknown command: ${name}`}\n\n${usage()}\n`,
    );
    return EXIT_USAGE;
  }

  let config: HubConfig | undefined;
  let log: Logger | undefined;
  const ctx: CliContext = {
    // The only places the commands read process.env: everything else gets the frozen config.
    config: () => {
      config ??= loadConfig({ env: process.env });
      return config;
    },
    log: () => {
      const level = commandLogLevel(ctx.config(), Boolean(process.env.HUB_LOG_LEVEL));
      log ??= createConsoleLogger(level, ctx.config().logFormat, process.stderr);
      return log;
    },
    migrations: () => HUB_MIGRATIONS,
    endSessions: (db) => {
      const sessions = createSqliteSessionStore(db, systemClock);
      return async (userId) => {
        await sessions.deleteSessions(userId);
      };
    },
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  };
  try {
    return await command.run(args, ctx);
  } catch (err) {
    process.stderr.write(
      `${err instanceof HubError ? err.message : err instanceof Error ? err.stack : String(err)}\n`,
    );
    return EXIT_USAGE;
  }
}

// exitCode rather than exit(): lets stdout and stderr drain first.
process.exitCode = await main(process.argv.slice(2));
