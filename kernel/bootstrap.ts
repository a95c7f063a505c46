import type { Registry } from './registry/index.ts';
import { generateSecret, hashSecret } from './secrets.ts';

/**
 * Makes sure the bootstrap `admin` user exists. Returns the password when this call created it with a
 * generated one (to be printed once, never logged), otherwise null.
 */
export async function ensureAdmin(
  registry: Registry,
  configuredPassword: string | undefined,
): Promise<string | null> {
  if (await registry.people.userByName('admin')) return null;
  const password = configuredPassword ?? generateSecret();
  const passwordHash = await hashSecret(password);
  // Checked again in the transaction of the write: another process (a second hub start) may have made it.
  const created = await registry.transaction(async () => {
    if (await registry.people.userByName('admin')) return false;
    await registry.people.createUser({
      username: 'admin',
      role: 'admin',
      passwordHash,
      displayName: 'Administrator',
    });
    return true;
  });
  if (!created) return null;
  return configuredPassword ? null : password;
}
