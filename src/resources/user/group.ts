/**
 * user.group: a local group, present or absent, with an optional gid and rename
 * (`new_name`), managed with groupadd, groupmod and groupdel.
 */
import { AccountTask, refusedPlan, type AccountPlan, type AccountSubject } from './account-task.js';
import { StatusBuilder } from '../status.js';
import { decodedState, stateField, type PresenceState } from '../state-field.js';
import type { DecodedFields, PrepareContext, ResourceDefinition, Task } from '../types.js';
import { groupNamed, lookupGroup, type GroupEntry } from './accounts.js';
import { idField } from './user.js';

interface GroupSpec {
  readonly name: string;
  readonly newName: string | undefined;
  readonly gid: string | undefined;
  readonly state: PresenceState;
}

interface GroupPlan extends AccountPlan {
  readonly command?: { readonly program: 'groupadd' | 'groupmod' | 'groupdel'; readonly args: readonly string[] };
  readonly current?: GroupEntry;
}

const ABSENT = '<absent>';

async function planGroup(spec: GroupSpec, signal?: AbortSignal): Promise<GroupPlan> {
  const status = new StatusBuilder();
  const fail = (error: string): GroupPlan => refusedPlan(status, error);
  let current = await groupNamed(spec.name, signal);
  let renamed = false;
  if (!current && spec.newName !== undefined) {
    current = await groupNamed(spec.newName, signal);
    renamed = current !== undefined;
  }
  const byGid = spec.gid === undefined ? undefined : await lookupGroup(spec.gid, signal);

  if (spec.state === 'absent') {
    if (!current || renamed) return { status };
    if (spec.gid !== undefined && spec.gid !== current.gid) {
      return fail(`group ${spec.name} and gid ${spec.gid} belong to different groups`);
    }
    status.diff('group', spec.name, ABSENT).message('delete group');
    return { status, current, command: { program: 'groupdel', args: [spec.name] } };
  }

  if (!current) {
    const name = spec.newName ?? spec.name;
    if (byGid) return fail(`group gid ${spec.gid} already exists`);
    status.diff('group', ABSENT, name);
    const args: string[] = [];
    if (spec.gid !== undefined) {
      args.push('-g', spec.gid);
      status.diff('gid', ABSENT, spec.gid);
    }
    status.message('add group');
    return { status, command: { program: 'groupadd', args: [...args, name] } };
  }

  const args: string[] = [];
  if (spec.newName !== undefined && !renamed && spec.newName !== current.name) {
    if (await groupNamed(spec.newName, signal)) return fail(`group ${spec.newName} already exists`);
    args.push('-n', spec.newName);
    status.diff('name', current.name, spec.newName);
  }
  if (spec.gid !== undefined && spec.gid !== current.gid) {
    if (byGid) return fail(`group gid ${spec.gid} already exists`);
    args.push('-g', spec.gid);
    status.diff('gid', current.gid, spec.gid);
  }
  if (args.length === 0) return { status, current };
  status.message('modify group');
  return { status, current, command: { program: 'groupmod', args: [...args, current.name] } };
}

function groupSubject(spec: GroupSpec): AccountSubject {
  return {
    noun: 'group',
    name: spec.name,
    state: spec.state,
    plan: (signal) => planGroup(spec, signal),
    exported: () => ({ name: spec.name, newname: spec.newName ?? '', gid: spec.gid ?? '', state: spec.state }),
  };
}

export const userGroup: ResourceDefinition = {
  kind: 'user.group',
  doc: 'Manages a local group with groupadd, groupmod and groupdel: present or absent, its gid, and renames with `new_name`.',
  fields: [
    { name: 'gid', type: 'int', doc: 'The numeric group id (0 to 4294967294).' },
    { name: 'name', type: 'string', required: true, nonempty: true, doc: 'The name of the group.' },
    { name: 'new_name', type: 'string', nonempty: true, doc: 'Renames the group to this name.' },
    stateField('Whether the group should exist.'),
  ],
  exports: ['name', 'newname', 'gid', 'state'],
  prepare(fields: DecodedFields, ctx: PrepareContext): Task {
    return new AccountTask(
      groupSubject({
        name: String(fields['name']),
        newName: typeof fields['new_name'] === 'string' ? fields['new_name'] : undefined,
        gid: idField(fields, 'gid', 'group', ctx),
        state: decodedState(fields),
      }),
    );
  },
};
