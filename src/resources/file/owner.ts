/**
 * `file.owner`: the user and group that own a file or directory, optionally for a whole tree
 * (`recursive`; symlinks are skipped, never followed). Names resolve through /etc/passwd and
 * /etc/group when the task runs, so a user created earlier in the same run is found.
 */
import { lchown, lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { getErrorMessage } from '../../errors.js';
import type { Diff } from '../../protocol.js';
import { failedStatus, fsErrorText, makeStatus } from '../status.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';

/** Name to id and id to name, from a passwd- or group-format file. */
async function readIdTable(file: string): Promise<{ byName: Map<string, number>; byId: Map<number, string> }> {
  const byName = new Map<string, number>();
  const byId = new Map<number, string>();
  const text = await readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name === undefined || id === undefined || name === '' || !/^\d+$/.test(id)) continue;
    byName.set(name, Number(id));
    if (!byId.has(Number(id))) byId.set(Number(id), name);
  }
  return { byName, byId };
}

interface Wanted {
  readonly uid?: number;
  readonly gid?: number;
}

interface Change {
  readonly path: string;
  readonly shown: string;
  readonly from: { uid: number; gid: number };
  readonly to: { uid: number; gid: number };
}

class FileOwner implements Task {
  readonly #fields: DecodedFields;
  readonly #destination: string;
  readonly #absolute: string;

  constructor(fields: DecodedFields, cwd: string) {
    this.#fields = fields;
    this.#destination = fields['destination'] as string;
    this.#absolute = path.resolve(cwd, this.#destination);
  }

  async check(_ctx: RunContext): Promise<ResourceStatus> {
    const plan = await this.#plan();
    if (plan === 'missing') {
      return makeStatus(StatusLevel.MayChange, {
        messages: [`${JSON.stringify(this.#destination)} does not exist; ownership will be compared when applying`],
      });
    }
    if (typeof plan === 'string') return failedStatus(plan);
    return this.#status(plan.changes, plan.names, false);
  }

  async apply(_ctx: RunContext): Promise<ResourceStatus> {
    const plan = await this.#plan();
    if (plan === 'missing') return failedStatus(`${JSON.stringify(this.#destination)} does not exist`);
    if (typeof plan === 'string') return failedStatus(plan);
    for (const change of plan.changes) {
      try {
        await lchown(change.path, change.to.uid, change.to.gid);
      } catch (error) {
        return failedStatus(fsErrorText(error, 'chown', change.shown));
      }
    }
    return this.#status(plan.changes, plan.names, true);
  }

  exported(): Readonly<Record<string, unknown>> {
    return {
      destination: this.#destination,
      username: this.#fields['user'] ?? '',
      uid: this.#fields['uid'] ?? '',
      group: this.#fields['group'] ?? '',
      gid: this.#fields['gid'] ?? '',
      recursive: this.#fields['recursive'] === true,
    };
  }

  #status(changes: readonly Change[], names: Names, applied: boolean): ResourceStatus {
    const verbose = this.#fields['verbose'] === true;
    const diffs: Record<string, Diff> = {};
    const messages: string[] = [];
    for (const change of changes) {
      if (!verbose && change.path !== this.#absolute) continue;
      diffs[change.shown] = {
        original: describeOwner(change.from, change.to, names),
        current: describeOwner(change.to, change.from, names),
        changes: true,
      };
    }
    const hidden = changes.filter((c) => c.path !== this.#absolute).length;
    if (!verbose && hidden > 0) {
      messages.push(`${hidden} ${hidden === 1 ? 'entry' : 'entries'} below ${JSON.stringify(this.#destination)} ${applied ? 'changed' : 'will change'} owner`);
    }
    const level = changes.length > 0 || applied ? StatusLevel.WillChange : StatusLevel.NoChange;
    return makeStatus(level, { messages, diffs });
  }

  async #plan(): Promise<{ changes: Change[]; names: Names } | 'missing' | string> {
    const names = await loadNames();
    const wanted: { uid?: number; gid?: number } = {};
    const user = this.#fields['user'] as string | undefined;
    const group = this.#fields['group'] as string | undefined;
    if (user !== undefined) {
      const uid = names.users.byName.get(user);
      if (uid === undefined) return `user: unknown user ${user}`;
      wanted.uid = uid;
    } else if (this.#fields['uid'] !== undefined) {
      wanted.uid = this.#fields['uid'] as number;
    }
    if (group !== undefined) {
      const gid = names.groups.byName.get(group);
      if (gid === undefined) return `group: unknown group ${group}`;
      wanted.gid = gid;
    } else if (this.#fields['gid'] !== undefined) {
      wanted.gid = this.#fields['gid'] as number;
    }
    try {
      const changes: Change[] = [];
      await this.#collect(this.#absolute, this.#destination, wanted, changes, true);
      return { changes, names };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
      return getErrorMessage(error);
    }
  }

  async #collect(absolute: string, shown: string, wanted: Wanted, out: Change[], top: boolean): Promise<void> {
    const info = await lstat(absolute);
    if (info.isSymbolicLink() && !top) return;
    const to = { uid: wanted.uid ?? info.uid, gid: wanted.gid ?? info.gid };
    if (to.uid !== info.uid || to.gid !== info.gid) {
      out.push({ path: absolute, shown, from: { uid: info.uid, gid: info.gid }, to });
    }
    if (this.#fields['recursive'] === true && info.isDirectory()) {
      for (const entry of (await readdir(absolute)).sort()) {
        await this.#collect(path.join(absolute, entry), path.join(shown, entry), wanted, out, false);
      }
    }
  }
}

interface Names {
  readonly users: { byName: Map<string, number>; byId: Map<number, string> };
  readonly groups: { byName: Map<string, number>; byId: Map<number, string> };
}

async function loadNames(): Promise<Names> {
  const [users, groups] = await Promise.all([readIdTable('/etc/passwd'), readIdTable('/etc/group')]);
  return { users, groups };
}

/** `user: root (0); group: staff (50)`, naming only what differs, as the original's diff did. */
function describeOwner(side: { uid: number; gid: number }, other: { uid: number; gid: number }, names: Names): string {
  const parts: string[] = [];
  if (side.uid !== other.uid) parts.push(`user: ${names.users.byId.get(side.uid) ?? side.uid} (${side.uid})`);
  if (side.gid !== other.gid) parts.push(`group: ${names.groups.byId.get(side.gid) ?? side.gid} (${side.gid})`);
  return parts.join('; ');
}

export const fileOwner: ResourceDefinition = {
  kind: 'file.owner',
  doc: 'Sets the user and group owning a file or directory; with recursive, the whole tree below it (symlinks are skipped).',
  fields: [
    { name: 'destination', type: 'string', doc: 'The file or directory whose ownership is managed.', required: true, nonempty: true },
    { name: 'recursive', type: 'bool', doc: 'Also change everything below a directory.', default: false },
    { name: 'user', type: 'string', doc: 'Owner by user name.' },
    { name: 'uid', type: 'int', doc: 'Owner by numeric user id.' },
    { name: 'group', type: 'string', doc: 'Group by name.' },
    { name: 'gid', type: 'int', doc: 'Group by numeric group id.' },
    { name: 'verbose', type: 'bool', doc: 'With recursive, show a diff for every file that changes.', default: false },
  ],
  // The original misspelled the user/uid tag, so only uid enforced it; both pairs are enforced here.
  mutuallyExclusive: [
    ['user', 'uid'],
    ['group', 'gid'],
  ],
  exports: ['destination', 'username', 'uid', 'group', 'gid', 'recursive'],
  prepare(fields: DecodedFields, ctx: PrepareContext): Task {
    return new FileOwner(fields, ctx.cwd);
  },
};
