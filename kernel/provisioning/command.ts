/** `npm run hub -- import FILE`: imports a provisioning file into the hub's data directory. */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { systemClock } from '../clock.ts';
import type { HubConfig } from '../config.ts';
import { type Db, openDatabase } from '../db.ts';
import type { Logger } from '../logger.ts';
import type { RoomMigrations } from '../migrate.ts';
import { createRegistry } from '../registry/index.ts';
import { type ImportFormat, type ImportReport, importProvisioning } from './index.ts';
import { appendSecrets, assertSecretsFileWritable, secretsFilePath } from './secrets-file.ts';

export interface CommandContext {
  config(): HubConfig;
  log(): Logger;
  /** every room's migrations, to open the store with (the kernel imports no room: the CLI passes them) */
  migrations(): readonly RoomMigrations[];
  /**
   * Ends the console sessions of a user on the store `db` (the console's session store: the kernel
   * imports no room, the CLI passes it), for a user whose password the file changes.
   */
  endSessions?(db: Db): (userId: number) => Promise<void>;
  out(line: string): void;
  err(line: string): void;
}

/** Exit codes: 0 imported, 1 the file has problems (nothing imported), 2 the command could not run. */
export const EXIT = { ok: 0, problems: 1, failed: 2 } as const;

const FORMATS: Record<string, ImportFormat> = { '.json': 'json', '.csv': 'csv' };

export const importCommand = {
  usage: 'import FILE',
  summary: 'import households, devices, responders and users from a .json or .csv provisioning file',

  async run(args: readonly string[], ctx: CommandContext): Promise<number> {
    const [file, ...rest] = args;
    if (file === undefined || rest.length > 0) {
      ctx.err('usage: npm run hub -- import FILE   (FILE ends in .json or .csv)');
      return EXIT.failed;
    }
    const format = FORMATS[extname(file).toLowerCase()];
    if (!format) {
      ctx.err(`${file}: the file name must end in .json or .csv`);
      return EXIT.failed;
    }
    let content: Buffer;
    const secretsPath = secretsFilePath(file);
    try {
      content = readFileSync(file);
      assertSecretsFileWritable(secretsPath);
    } catch (err) {
      ctx.err(`${file}: ${(err as Error).message}`);
      return EXIT.failed;
    }

    const config = ctx.config();
    const db = openDatabase(config.dataDir, ctx.migrations(), ctx.log());
    let report: ImportReport;
    try {
      const endSessions = ctx.endSessions?.(db);
      report = await importProvisioning(
        createRegistry(db, systemClock),
        { format, content },
        endSessions ? { passwordChanged: endSessions } : {},
      );
    } finally {
      db.close();
    }

    if (!report.ok) {
      const n = report.problems.length;
      ctx.err(`${file}: ${n} ${n === 1 ? 'problem' : 'problems'}; nothing was imported.`);
      for (const p of report.problems) ctx.err(`  line ${p.line}${p.path ? ` ${p.path}` : ''}: ${p.reason}`);
      return EXIT.problems;
    }

    ctx.out(`Imported ${file} into ${config.dataDir}:`);
    for (const [what, c] of Object.entries(report.counts)) {
      ctx.out(`  ${what.padEnd(11)} ${c.created} created, ${c.updated} updated, ${c.unchanged} unchanged`);
    }
    // Counts only: secrets never reach the log or the terminal.
    ctx
      .log()
      .info(
        { file, counts: report.counts, newSecretCount: report.secrets.length },
        'provisioning file imported',
      );
    if (report.secrets.length === 0) {
      ctx.out('No new secrets.');
      return EXIT.ok;
    }
    try {
      appendSecrets(secretsPath, report.secrets);
    } catch (err) {
      ctx.err(
        `The import is done, but its ${report.secrets.length} new secrets could not be written to ${secretsPath}: ` +
          `${(err as Error).message}. Reset the secrets of the new devices, gateways and users in the console.`,
      );
      return EXIT.failed;
    }
    ctx.out(
      `${report.secrets.length} new secrets written to ${secretsPath} (readable by you only; keep it safe).`,
    );
    return EXIT.ok;
  },
};
