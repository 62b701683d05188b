/**
 * Reads the account databases through `getent`, so that users and groups from NSS sources (LDAP,
 * sssd) are seen the same way useradd and the C library see them, as Go's os/user did with cgo.
 * getent exits 2 when the key is not found; that is "absent", not an error.
 */
import { commandFailure, runCommand } from '../command.js';

export interface PasswdEntry {
  readonly name: string;
  readonly uid: string;
  readonly gid: string;
  /** The GECOS field, which Converge calls `name` (the comment). */
  readonly comment: string;
  readonly home: string;
  readonly shell: string;
}

export interface GroupEntry {
  readonly name: string;
  readonly gid: string;
  readonly members: readonly string[];
}

async function getent(database: string, key: string, signal?: AbortSignal): Promise<string[] | undefined> {
  const result = await runCommand('getent', [database, key], signal ? { signal } : {});
  if (result.code === 2) return undefined;
  if (result.code !== 0) throw new Error(commandFailure(`getent ${database}`, result));
  const line = result.stdout.split('\n')[0] ?? '';
  return line.split(':');
}

export async function lookupUser(nameOrUid: string, signal?: AbortSignal): Promise<PasswdEntry | undefined> {
  const f = await getent('passwd', nameOrUid, signal);
  if (!f) return undefined;
  return {
    name: f[0] ?? '',
    uid: f[2] ?? '',
    gid: f[3] ?? '',
    comment: f[4] ?? '',
    home: f[5] ?? '',
    shell: f[6] ?? '',
  };
}

export async function lookupGroup(nameOrGid: string, signal?: AbortSignal): Promise<GroupEntry | undefined> {
  const f = await getent('group', nameOrGid, signal);
  if (!f) return undefined;
  const members = (f[3] ?? '').split(',').filter((m) => m !== '');
  return { name: f[0] ?? '', gid: f[2] ?? '', members };
}

/** The entry named exactly `name`: getent reads a numeric name as an id and may find another entry. */
function named<T extends { readonly name: string }>(entry: T | undefined, name: string): T | undefined {
  return entry && entry.name === name ? entry : undefined;
}

/** The user whose login name is `name`, never one found by uid. */
export async function userNamed(name: string, signal?: AbortSignal): Promise<PasswdEntry | undefined> {
  return named(await lookupUser(name, signal), name);
}

/** The group whose name is `name`, never one found by gid. */
export async function groupNamed(name: string, signal?: AbortSignal): Promise<GroupEntry | undefined> {
  return named(await lookupGroup(name, signal), name);
}

/**
 * The account expiry date as YYYY-MM-DD (UTC), or `never`. It comes from the shadow entry's 8th field
 * (days since 1970-01-01) rather than from parsing `chage -l`, whose date format follows the locale.
 */
export async function lookupExpiry(name: string, signal?: AbortSignal): Promise<string> {
  const f = await getent('shadow', name, signal);
  const days = f?.[7] ?? '';
  if (days === '' || days === '-1') return 'never';
  const n = Number.parseInt(days, 10);
  if (!Number.isFinite(n)) return 'never';
  return new Date(n * 86_400_000).toISOString().slice(0, 10);
}

/** getent takes a number as an id lookup; a name that looks numeric would be misread, so names are checked. */
export function isNumericId(value: string): boolean {
  return /^\d+$/.test(value);
}
