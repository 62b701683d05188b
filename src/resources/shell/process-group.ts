/**
 * The processes a script leaves behind. Every script is spawned as the leader of a new session and
 * process group (spawn's `detached`), so whatever it starts with `cmd &` shares its group id, and
 * ending the group ends them. A process that calls setsid() or setpgid() itself leaves the group and
 * is out of reach: that is how a task daemonizes on purpose (README, "What a task can do").
 *
 * Linux lists a group's members in /proc; elsewhere kill(-pgid, 0) tells only whether any is left.
 */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Milliseconds between SIGTERM and SIGKILL for what is left of a script's group. */
export const KILL_GRACE_MS = 250;
const POLL_MS = 10;

interface ProcInfo {
  readonly pid: number;
  readonly ppid: number;
}

/** Live (not zombie) members of process group `pgid`, or undefined when /proc cannot tell. */
export async function groupMembers(pgid: number): Promise<ProcInfo[] | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  const out: ProcInfo[] = [];
  await Promise.all(
    entries.map(async (name) => {
      if (!/^\d+$/.test(name)) return;
      let stat: string;
      try {
        stat = await readFile(`/proc/${name}/stat`, 'latin1');
      } catch {
        return; // gone meanwhile
      }
      // `pid (comm) state ppid pgrp ...`; comm may hold spaces and parentheses, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' || fields[0] === 'X') return;
      if (Number(fields[2]) !== pgid) return;
      out.push({ pid: Number(name), ppid: Number(fields[1]) });
    }),
  );
  return out;
}

/** True while group `pgid` has any member, zombies included. */
function groupExists(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    // EPERM: a member changed its user (a setuid program); it is still there.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // the group is gone, or what is left is not ours to signal
  }
}

/**
 * The members of `pgid` outside the tree of `keep` (a live wrapper whose own processes are not
 * leftovers), counted; undefined when they cannot be listed, 0 when there are none.
 */
export async function leftovers(pgid: number, keep?: number): Promise<number | undefined> {
  if (!groupExists(pgid)) return 0;
  const members = await groupMembers(pgid);
  if (members === undefined) return undefined;
  if (keep === undefined) return members.length;
  const parent = new Map(members.map((m) => [m.pid, m.ppid]));
  let count = 0;
  for (const member of members) {
    let pid: number | undefined = member.pid;
    while (pid !== undefined && pid !== keep) pid = parent.get(pid);
    if (pid === undefined) count += 1;
  }
  return count;
}

/**
 * Ends group `pgid`: SIGTERM, then SIGKILL to whatever is still alive after KILL_GRACE_MS. Resolves
 * when no live member is left, or once SIGKILL has been sent (a process in uninterruptible sleep may
 * take longer to go; it can no longer run any code of the task).
 */
export async function endGroup(pgid: number): Promise<void> {
  if (!groupExists(pgid)) return;
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + KILL_GRACE_MS;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    if (!(await alive(pgid))) return;
  }
  signalGroup(pgid, 'SIGKILL');
}

async function alive(pgid: number): Promise<boolean> {
  if (!groupExists(pgid)) return false;
  const members = await groupMembers(pgid);
  return members === undefined || members.length > 0;
}
