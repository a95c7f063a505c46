import { execFileSync } from 'node:child_process';

/**
 * Returns the path of an external program a test needs. A missing program fails the test loudly
 * (never a skip): scripts/test-prerequisites.sh installs them from Debian's packages (scripts/debian-test-packages.txt).
 */
export function requireTool(name: string, debianPackage: string): string {
  try {
    return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      `${name} is not installed: install Debian's ${debianPackage} (apt-get install ${debianPackage})`,
    );
  }
}
