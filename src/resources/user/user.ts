/**
 * user.user: a local account, present or absent, managed with useradd, usermod and
 * userdel. Renames (`new_username`), uid, primary group, comment, home directory (create, name, move
 * contents), skeleton directory and expiry. The plan lives in user-plan.ts.
 */
import { AccountTask, type AccountSubject } from './account-task.js';
import { prepareError } from '../command.js';
import { decodedState, stateField } from '../state-field.js';
import type { DecodedFields, PrepareContext, ResourceDefinition, Task } from '../types.js';
import { planUser, type UserSpec } from './user-plan.js';

/** Linux reserves 2^32-1 as "no id". */
export const MAX_ID = 4_294_967_294;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The id fields as strings, refusing values outside 0..2^32-2 with the original's message. */
export function idField(
  fields: DecodedFields,
  field: string,
  kind: string,
  ctx: PrepareContext,
): string | undefined {
  const value = fields[field];
  if (value === undefined || value === null) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_ID) throw prepareError(ctx, field, `${kind} "${field}" parameter out of range`);
  return String(n);
}

/** A `time` field as YYYY-MM-DD (UTC): useradd -e and the shadow file count whole days. */
export function dateField(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  const text = String(value);
  const parsed = new Date(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(parsed.getTime())) return undefined;
  return parsed.toISOString().slice(0, 10);
}

function userSpec(fields: DecodedFields, ctx: PrepareContext): UserSpec {
  const createHome = fields['create_home'] === true;
  const moveDir = fields['move_dir'] === true;
  const skelDir = str(fields['skel_dir']);
  const homeDir = str(fields['home_dir']);
  if (skelDir !== undefined && !createHome) {
    throw prepareError(ctx, 'skel_dir', 'user "create_home" parameter required with "skel_dir" parameter');
  }
  if (moveDir && homeDir === undefined) {
    throw prepareError(ctx, 'move_dir', 'user "home_dir" parameter required with "move_dir" parameter');
  }
  const expiryRaw = fields['expiry'];
  const expiry = dateField(expiryRaw);
  if (expiryRaw !== undefined && expiryRaw !== null && expiryRaw !== '' && expiry === undefined) {
    throw prepareError(ctx, 'expiry', `"expiry" is not a date: ${String(expiryRaw)}`);
  }
  const spec: UserSpec = {
    username: String(fields['username']),
    createHome,
    moveDir,
    state: decodedState(fields),
  };
  const optional = {
    newUsername: str(fields['new_username']),
    uid: idField(fields, 'uid', 'user', ctx),
    groupname: str(fields['groupname']),
    gid: idField(fields, 'gid', 'user', ctx),
    comment: str(fields['name']),
    skelDir,
    homeDir,
    expiry,
  };
  return Object.assign(spec, Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)));
}

function userSubject(spec: UserSpec): AccountSubject {
  return {
    noun: 'user',
    name: spec.username,
    state: spec.state,
    plan: (signal) => planUser(spec, signal),
    exported: () => ({
      username: spec.username,
      newusername: spec.newUsername ?? '',
      uid: spec.uid ?? '',
      groupname: spec.groupname ?? '',
      gid: spec.gid ?? '',
      name: spec.comment ?? '',
      createhome: spec.createHome,
      skeldir: spec.skelDir ?? '',
      homedir: spec.homeDir ?? '',
      movedir: spec.moveDir,
      expiry: spec.expiry ?? '',
      state: spec.state,
    }),
  };
}

export const userUser: ResourceDefinition = {
  kind: 'user.user',
  doc:
    'Manages a local user account with useradd, usermod and userdel. A plan shows one diff per field ' +
    'that changes. With `new_username` the account is renamed; a plan after the rename shows no change.',
  fields: [
    { name: 'username', type: 'string', required: true, nonempty: true, doc: 'The login name of the user.' },
    {
      name: 'new_username',
      type: 'string',
      nonempty: true,
      doc: 'Renames the user to this login name; the home directory is moved only with `home_dir` and `move_dir`.',
    },
    { name: 'uid', type: 'int', doc: 'The numeric user id (0 to 4294967294).' },
    {
      name: 'groupname',
      type: 'string',
      nonempty: true,
      doc: 'The name of the primary group, which must already exist.',
    },
    { name: 'gid', type: 'int', doc: 'The id of the primary group, which must already exist.' },
    { name: 'name', type: 'string', nonempty: true, doc: 'The description (GECOS comment) of the user.' },
    {
      name: 'create_home',
      type: 'bool',
      doc: 'Creates the home directory when the user is added, copying the skeleton directory into it.',
    },
    {
      name: 'skel_dir',
      type: 'string',
      nonempty: true,
      doc: 'The skeleton directory copied into a new home directory; needs `create_home`.',
    },
    { name: 'home_dir', type: 'string', nonempty: true, doc: 'The home directory of the user, when adding or modifying.' },
    {
      name: 'move_dir',
      type: 'bool',
      doc: 'Moves the contents of the old home directory to `home_dir` when it changes; needs `home_dir`.',
    },
    { name: 'expiry', type: 'time', doc: 'The date (YYYY-MM-DD) on which the account is disabled.' },
    stateField('Whether the user should exist.'),
  ],
  mutuallyExclusive: [['gid', 'groupname']],
  exports: [
    'username',
    'newusername',
    'uid',
    'groupname',
    'gid',
    'name',
    'createhome',
    'skeldir',
    'homedir',
    'movedir',
    'expiry',
    'state',
  ],
  prepare(fields: DecodedFields, ctx: PrepareContext): Task {
    return new AccountTask(userSubject(userSpec(fields, ctx)));
  },
};
