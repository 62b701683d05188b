/**
 * Account helpers for the user and group tests: free ids, and teardown that removes what a test may
 * have created (under any of its names) whether the test passed or not.
 */
import type { ExecutionContext } from 'ava';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomInt } from 'node:crypto';

export function getent(db: string, key: string): string[] | undefined {
  const r = spawnSync('getent', [db, key], { encoding: 'utf8' });
  return r.status === 0 ? (r.stdout.split('\n')[0] ?? '').split(':') : undefined;
}

/** An id unused as both uid and gid, from a range regular installs leave alone. */
export function freeId(): number {
  for (;;) {
    const id = randomInt(42_000, 59_000);
    if (!getent('passwd', String(id)) && !getent('group', String(id))) return id;
  }
}

export function removeUsersAtTeardown(t: ExecutionContext, ...names: string[]): void {
  t.teardown(() => {
    for (const name of names) spawnSync('userdel', ['-r', name], { stdio: 'ignore' });
    for (const name of names) spawnSync('groupdel', [name], { stdio: 'ignore' });
  });
}

export function removeGroupsAtTeardown(t: ExecutionContext, ...names: string[]): void {
  t.teardown(() => {
    for (const name of names) spawnSync('groupdel', [name], { stdio: 'ignore' });
  });
}

export function addGroup(t: ExecutionContext, name: string, gid?: number): void {
  removeGroupsAtTeardown(t, name);
  execFileSync('groupadd', [...(gid === undefined ? [] : ['-g', String(gid)]), name]);
}
