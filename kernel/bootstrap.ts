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
  if (registry.people.userByName('admin')) return null;
  const password = configuredPassword ?? generateSecret();
  registry.people.createUser({
    username: 'admin',
    role: 'admin',
    passwordHash: await hashSecret(password),
    displayName: 'Administrator',
  });
  return configuredPassword ? null : password;
}
