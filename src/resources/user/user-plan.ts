/**
 * Works out what user.user has to do: the command (useradd, usermod or userdel), its arguments, and
 * the per-field diffs the plan shows. Check and apply both call planUser(), so apply does exactly what
 * the plan showed. Diff keys and texts follow the original (`username`, `uid`, `group`, `gid`,
 * `comment`, `create_home`, `skel_dir contents`, `home_dir name`, `home_dir contents`, `expiry`).
 */
import { refusedPlan, type AccountPlan } from './account-task.js';
import { StatusBuilder } from '../status.js';
import type { PresenceState } from '../state-field.js';
import { groupNamed, lookupExpiry, lookupGroup, lookupUser, userNamed, type PasswdEntry } from './accounts.js';

/** The decoded, validated settings of one user.user node. */
export interface UserSpec {
  readonly username: string;
  readonly newUsername?: string;
  readonly uid?: string;
  readonly groupname?: string;
  readonly gid?: string;
  readonly comment?: string;
  readonly createHome: boolean;
  readonly skelDir?: string;
  readonly homeDir?: string;
  readonly moveDir: boolean;
  /** YYYY-MM-DD. */
  readonly expiry?: string;
  readonly state: PresenceState;
}

export interface UserPlan extends AccountPlan {
  readonly command?: { readonly program: 'useradd' | 'usermod' | 'userdel'; readonly args: readonly string[] };
  /** The account the plan was made against (after a rename, the renamed one). */
  readonly current?: PasswdEntry;
}

const ABSENT = '<absent>';

export async function planUser(spec: UserSpec, signal?: AbortSignal): Promise<UserPlan> {
  const status = new StatusBuilder();
  let current = await userNamed(spec.username, signal);
  // After a rename the old name is gone; the account to compare against is the renamed one, so that a
  // plan after apply shows no change (the original planned to add the old name again).
  let renamed = false;
  if (!current && spec.newUsername) {
    current = await userNamed(spec.newUsername, signal);
    renamed = current !== undefined;
  }
  if (spec.state === 'absent') return planDelete(spec, current, status, signal);
  if (!current) return planAdd(spec, status, signal);
  return planModify(spec, current, renamed, status, signal);
}

async function planDelete(
  spec: UserSpec,
  current: PasswdEntry | undefined,
  status: StatusBuilder,
  signal?: AbortSignal,
): Promise<UserPlan> {
  if (!current || current.name !== spec.username) return { status };
  if (spec.uid !== undefined) {
    const byId = await lookupUser(spec.uid, signal);
    if (!byId) return refusedPlan(status, `uid ${spec.uid} does not exist`);
    if (byId.name !== current.name) return refusedPlan(status, `uid ${spec.uid} belongs to different user`);
  }
  status.diff('user', spec.username, ABSENT).message('delete user');
  return { status, current, command: { program: 'userdel', args: [spec.username] } };
}

async function planAdd(spec: UserSpec, status: StatusBuilder, signal?: AbortSignal): Promise<UserPlan> {
  // Adding straight under the new name is the state a rename asks for.
  const name = spec.newUsername ?? spec.username;
  const args: string[] = [];
  const sameNameGroup = await groupNamed(name, signal);
  if (sameNameGroup && spec.groupname === undefined && spec.gid === undefined) {
    status.message('if you want to add this user to that group, use the groupname field');
    return refusedPlan(status, `group ${name} exists`);
  }
  status.diff('username', ABSENT, name);
  if (spec.uid !== undefined) {
    if (await lookupUser(spec.uid, signal)) return refusedPlan(status, `uid ${spec.uid} already exists`);
    args.push('-u', spec.uid);
    status.diff('uid', ABSENT, spec.uid);
  }
  if (spec.groupname !== undefined) {
    const group = await groupNamed(spec.groupname, signal);
    if (!group) return refusedPlan(status, `group ${spec.groupname} does not exist`);
    args.push('-g', spec.groupname);
    status.diff('group', ABSENT, spec.groupname);
  } else if (spec.gid !== undefined) {
    const group = await lookupGroup(spec.gid, signal);
    if (!group) return refusedPlan(status, `group gid ${spec.gid} does not exist`);
    args.push('-g', spec.gid);
    status.diff('gid', ABSENT, spec.gid);
  }
  if (spec.comment !== undefined) {
    args.push('-c', spec.comment);
    status.diff('comment', ABSENT, spec.comment);
  }
  const dirShown = spec.homeDir ?? '<default home>';
  if (spec.createHome) {
    args.push('-m');
    status.diff('create_home', ABSENT, dirShown);
    if (spec.skelDir !== undefined) {
      args.push('-k', spec.skelDir);
      status.diff('skel_dir contents', spec.skelDir, dirShown);
    }
  } else {
    // Debian's useradd follows CREATE_HOME in login.defs when neither flag is given; say what we mean.
    args.push('-M');
  }
  if (spec.homeDir !== undefined) {
    args.push('-d', spec.homeDir);
    status.diff('home_dir name', '<default home>', spec.homeDir);
  }
  if (spec.expiry !== undefined) {
    args.push('-e', spec.expiry);
    status.diff('expiry', '<default expiry>', spec.expiry);
  }
  status.message('add user');
  return { status, command: { program: 'useradd', args: [...args, name] } };
}

async function planModify(
  spec: UserSpec,
  current: PasswdEntry,
  renamed: boolean,
  status: StatusBuilder,
  signal?: AbortSignal,
): Promise<UserPlan> {
  const args: string[] = [];
  if (spec.newUsername !== undefined && !renamed && spec.newUsername !== current.name) {
    if (await userNamed(spec.newUsername, signal)) return refusedPlan(status, `user ${spec.newUsername} already exists`);
    args.push('-l', spec.newUsername);
    status.diff('username', current.name, spec.newUsername);
  }
  if (spec.uid !== undefined && spec.uid !== current.uid) {
    if (await lookupUser(spec.uid, signal)) return refusedPlan(status, `uid ${spec.uid} already exists`);
    args.push('-u', spec.uid);
    status.diff('uid', current.uid, spec.uid);
  }
  if (spec.groupname !== undefined) {
    const group = await groupNamed(spec.groupname, signal);
    if (!group) return refusedPlan(status, `group ${spec.groupname} does not exist`);
    if (group.gid !== current.gid) {
      const currentGroup = await lookupGroup(current.gid, signal);
      args.push('-g', spec.groupname);
      status.diff('group', currentGroup?.name ?? current.gid, spec.groupname);
    }
  } else if (spec.gid !== undefined) {
    if (!(await lookupGroup(spec.gid, signal))) return refusedPlan(status, `group gid ${spec.gid} does not exist`);
    if (spec.gid !== current.gid) {
      args.push('-g', spec.gid);
      status.diff('gid', current.gid, spec.gid);
    }
  }
  if (spec.comment !== undefined && spec.comment !== current.comment) {
    args.push('-c', spec.comment);
    status.diff('comment', current.comment, spec.comment);
  }
  if (spec.homeDir !== undefined && spec.homeDir !== current.home) {
    args.push('-d', spec.homeDir);
    status.diff('home_dir name', current.home, spec.homeDir);
    if (spec.moveDir) {
      args.push('-m');
      status.diff('home_dir contents', current.home, spec.homeDir);
    }
  }
  if (spec.expiry !== undefined) {
    const was = await lookupExpiry(current.name, signal);
    if (was !== spec.expiry) {
      args.push('-e', spec.expiry);
      status.diff('expiry', was, spec.expiry);
    }
  }
  if (args.length === 0) return { status, current };
  status.message('modify user');
  return { status, current, command: { program: 'usermod', args: [...args, current.name] } };
}
