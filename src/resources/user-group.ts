/**
 * user.group (REFERENCE §2.2): a local group, present or absent, with an optional gid and rename
 * (`new_name`), managed with groupadd, groupmod and groupdel.
 */
import { commandFailure, runCommand } from './package-exec.js';
import { StatusBuilder } from './package-status.js';
import { StatusLevel, type DecodedFields, type PrepareContext, type ResourceDefinition, type ResourceStatus, type Task } from './types.js';
import { lookupGroup, type GroupEntry } from './user-accounts.js';
import { idField } from './user-user.js';

interface GroupSpec {
  readonly name: string;
  readonly newName: string | undefined;
  readonly gid: string | undefined;
  readonly state: 'present' | 'absent';
}

interface GroupPlan {
  readonly status: StatusBuilder;
  readonly command?: { readonly program: 'groupadd' | 'groupmod' | 'groupdel'; readonly args: readonly string[] };
  readonly error?: string;
  readonly current?: GroupEntry;
}

const ABSENT = '<absent>';

async function groupNamed(name: string, signal?: AbortSignal): Promise<GroupEntry | undefined> {
  const entry = await lookupGroup(name, signal);
  return entry && entry.name === name ? entry : undefined;
}

async function planGroup(spec: GroupSpec, signal?: AbortSignal): Promise<GroupPlan> {
  const status = new StatusBuilder();
  const fail = (error: string): GroupPlan => ({ status: status.raise(StatusLevel.CantChange), error });
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

class GroupTask implements Task {
  readonly #spec: GroupSpec;

  constructor(spec: GroupSpec) {
    this.#spec = spec;
  }

  async check(ctx: { signal: AbortSignal }): Promise<ResourceStatus> {
    const plan = await planGroup(this.#spec, ctx.signal);
    return plan.error === undefined ? plan.status.build() : plan.status.fail(StatusLevel.CantChange, plan.error);
  }

  async apply(ctx: { signal: AbortSignal }): Promise<ResourceStatus> {
    const plan = await planGroup(this.#spec, ctx.signal);
    const name = this.#spec.name;
    if (plan.error !== undefined) {
      const verb = this.#spec.state === 'absent' ? 'delete' : plan.current ? 'modify' : 'add';
      return plan.status.fail(StatusLevel.CantChange, `will not attempt to ${verb} group ${name}: ${plan.error}`);
    }
    if (!plan.command) return plan.status.build();
    const { program, args } = plan.command;
    const words = { groupadd: ['added', 'adding'], groupmod: ['modified', 'modifying'], groupdel: ['deleted', 'deleting'] }[program];
    const result = await runCommand(program, args, { signal: ctx.signal });
    if (result.code !== 0) {
      return new StatusBuilder().message(`error ${words[1]} group ${name}`).fail(StatusLevel.Fatal, commandFailure(program, result));
    }
    return plan.status.message(`${words[0]} group ${name}`).build();
  }

  exported(): Readonly<Record<string, unknown>> {
    const s = this.#spec;
    return { name: s.name, newname: s.newName ?? '', gid: s.gid ?? '', state: s.state };
  }
}

export const userGroup: ResourceDefinition = {
  kind: 'user.group',
  doc: 'Manages a local group with groupadd, groupmod and groupdel: present or absent, its gid, and renames with `new_name`.',
  fields: [
    { name: 'gid', type: 'int', doc: 'The numeric group id (0 to 4294967294).' },
    { name: 'name', type: 'string', required: true, nonempty: true, doc: 'The name of the group.' },
    { name: 'new_name', type: 'string', nonempty: true, doc: 'Renames the group to this name.' },
    {
      name: 'state',
      type: 'string',
      validValues: ['present', 'absent'],
      default: 'present',
      doc: 'Whether the group should exist.',
    },
  ],
  exports: ['name', 'newname', 'gid', 'state'],
  prepare(fields: DecodedFields, ctx: PrepareContext): Task {
    return new GroupTask({
      name: String(fields['name']),
      newName: typeof fields['new_name'] === 'string' ? fields['new_name'] : undefined,
      gid: idField(fields, 'gid', 'group', ctx),
      state: fields['state'] === 'absent' ? 'absent' : 'present',
    });
  },
};
