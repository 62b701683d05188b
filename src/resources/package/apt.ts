/**
 * package.apt: Debian packages, queried with dpkg-query and changed with
 * `apt-get install -y` / `apt-get purge -y`. Several names in one call are one apt transaction.
 */
import { runCommand, type CommandResult } from '../command.js';
import { packageDefinition, type PackageAction, type PackageManager } from './manager.js';

/** dpkg statuses that mean "installed" (a held package is installed too). */
const INSTALLED = ['install ok installed', 'hold ok installed'];

/** Parses `dpkg-query -W -f '${Package},${Status},${Version}\n'` output; multiarch may print several lines. */
export function parseDpkgQuery(output: string): string | undefined {
  for (const line of output.split('\n')) {
    const [name, status, version] = line.split(',');
    if (name && status && version !== undefined && INSTALLED.some((s) => status.includes(s))) {
      return version.trim();
    }
  }
  return undefined;
}

const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive' };

export const aptManager: PackageManager = {
  id: 'apt',
  changeProgram: 'apt-get',
  async installedVersion(name: string, signal?: AbortSignal): Promise<string | undefined> {
    const result = await runCommand('dpkg-query', ['-W', '-f=${Package},${Status},${Version}\n', name], signal ? { signal } : {});
    return result.code === 0 ? parseDpkgQuery(result.stdout) : undefined;
  },
  change(action: PackageAction, names: readonly string[], signal?: AbortSignal): Promise<CommandResult> {
    // Wait for a lock held by another apt (unattended upgrades) instead of failing at once.
    const args = ['-o', 'DPkg::Lock::Timeout=120', action === 'install' ? 'install' : 'purge', '-y', '--', ...names];
    return runCommand('apt-get', args, { env: APT_ENV, ...(signal ? { signal } : {}) });
  },
};

export const packageApt = packageDefinition(
  'package.apt',
  'Manages a Debian package with dpkg-query and apt-get (install or purge). It assumes apt and dpkg are ' +
    'installed and that Converge may install, remove and query packages. Package nodes of one `group` ' +
    'that are ready together are installed (or purged) in one apt-get transaction.',
  aptManager,
);
