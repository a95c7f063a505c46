/** `npm run hub -- backup FILE` and `restore FILE [--replace]`: the embedded store, copied and put back. */
import type { CommandContext } from '../provisioning/command.ts';
import { BackupError, backupStore, restoreStore } from './store-backup.ts';

/** Exit codes: 0 done, 1 refused (a live hub, a bad file, a store in the way), 2 usage. */
const EXIT = { ok: 0, refused: 1, usage: 2 } as const;

async function refusedOr<T>(ctx: CommandContext, fn: () => Promise<T> | T): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof BackupError)) throw err;
    ctx.err(err.message);
    return null;
  }
}

export const backupCommand = {
  usage: 'backup FILE',
  summary: 'copy the store (with the device-secret key) to FILE while the hub runs',
  async run(args: readonly string[], ctx: CommandContext): Promise<number> {
    const [file, ...rest] = args;
    if (file === undefined || rest.length > 0) {
      ctx.err('usage: npm run hub -- backup FILE');
      return EXIT.usage;
    }
    const dataDir = ctx.config().dataDir;
    const info = await refusedOr(ctx, () => backupStore(dataDir, file));
    if (!info) return EXIT.refused;
    ctx.out(`Backed up ${dataDir} to ${file} (schema ${info.schemaVersion}, ${info.createdAt}).`);
    if (!info.withDeviceKey) ctx.out('The data directory had no device-secret key; none is in the backup.');
    ctx.out('The file holds the device-secret key: keep it as safe as the data directory (mode 0600).');
    return EXIT.ok;
  },
};

export const restoreCommand = {
  usage: 'restore FILE [--replace]',
  summary: 'check a backup and put it into the data directory (the hub must be stopped)',
  async run(args: readonly string[], ctx: CommandContext): Promise<number> {
    const replace = args.includes('--replace');
    const files = args.filter((a) => a !== '--replace');
    const [file, ...rest] = files;
    if (file === undefined || rest.length > 0) {
      ctx.err('usage: npm run hub -- restore FILE [--replace]');
      return EXIT.usage;
    }
    const dataDir = ctx.config().dataDir;
    const done = await refusedOr(ctx, () => restoreStore(file, dataDir, ctx.migrations(), { replace }));
    if (!done) return EXIT.refused;
    ctx.out(
      `Restored ${file} (schema ${done.info.schemaVersion}, taken ${done.info.createdAt}) into ${dataDir}.`,
    );
    if (done.keptAside) ctx.out(`The store that was there is kept as ${done.keptAside}.`);
    ctx.out('Start the hub: it migrates the store forward if the backup is older.');
    return EXIT.ok;
  },
};
