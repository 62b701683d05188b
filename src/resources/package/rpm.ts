/**
 * package.rpm: RPM packages, queried with `rpm -q` and changed with `yum install -y`
 * / `yum remove -y`. Tested only against recording fakes of rpm and yum (see the README).
 */
import { runCommand, type CommandResult } from '../command.js';
import { packageDefinition, type PackageAction, type PackageManager } from './manager.js';

export const rpmManager: PackageManager = {
  id: 'rpm',
  changeProgram: 'yum',
  async installedVersion(name: string, signal?: AbortSignal): Promise<string | undefined> {
    const result = await runCommand('rpm', ['-q', '--', name], signal ? { signal } : {});
    return result.code === 0 ? result.stdout.trim() : undefined;
  },
  change(action: PackageAction, names: readonly string[], signal?: AbortSignal): Promise<CommandResult> {
    return runCommand('yum', [action === 'install' ? 'install' : 'remove', '-y', ...names], signal ? { signal } : {});
  },
};

export const packageRpm = packageDefinition(
  'package.rpm',
  'Manages an RPM package with rpm and yum (install or remove). It assumes rpm and yum are installed ' +
    'and that Converge may install, remove and query packages. Package nodes of one `group` that are ' +
    'ready together are installed (or removed) in one yum transaction.',
  rpmManager,
);
