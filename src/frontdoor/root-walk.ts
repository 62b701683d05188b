/**
 * Opening a file beneath a directory without ever letting the kernel follow a symlink or `..`.
 *
 * Node has no openat(), so each step opens `/proc/self/fd/<parent>/<name>`: the kernel resolves the
 * descriptor link to the directory already held open (not to a path that could have been swapped
 * since) and looks up one name in it, with O_NOFOLLOW. O_PATH opens nothing for I/O, so a FIFO, a
 * device or a socket is only looked at, never opened, and cannot block or have side effects. A
 * symlink is read as text and resolved here, lexically, against the path walked so far; a target
 * that leaves the root is refused, and the walk starts again from the root with the result.
 */
import { open, readlink, type FileHandle } from 'node:fs/promises';
import { constants, existsSync, type Stats } from 'node:fs';
import path from 'node:path';

/** Linux's O_PATH (the same value on x86-64 and arm64); node:fs does not export it. */
const O_PATH = 0o10000000;
const FD_DIR = '/proc/self/fd';
/** As the kernel's own limit on symlinks followed in one lookup. */
export const MAX_SYMLINK_HOPS = 40;

/** Why a walk could not give a readable regular file; the caller turns it into a coded error. */
export type WalkRefusal =
  | { readonly kind: 'missing' }
  | { readonly kind: 'not-a-file'; readonly type: string }
  | { readonly kind: 'outside' }
  | { readonly kind: 'symlink-loop' };

export class WalkRefused extends Error {
  constructor(readonly refusal: WalkRefusal) {
    super(refusal.kind);
  }
}

/** Whether this system offers the descriptor directory the walk relies on. */
export function descriptorWalkAvailable(): boolean {
  return process.platform === 'linux' && existsSync(`${FD_DIR}/0`);
}

function fileType(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isDirectory()) return 'a directory';
  return 'not a regular file';
}

/**
 * Resolves a symlink's target against the directory that holds it (`base`, segments below the root),
 * then appends what was still to walk. Absolute targets count only when they point inside the root.
 */
function followTarget(target: string, base: readonly string[], rest: readonly string[], roots: readonly string[]): string[] {
  let start: string[] = [...base];
  let relative = target;
  if (path.posix.isAbsolute(target)) {
    const root = roots.find((r) => target === r || target.startsWith(r.endsWith('/') ? r : `${r}/`));
    if (root === undefined) throw new WalkRefused({ kind: 'outside' });
    start = [];
    relative = target.slice(root.length);
  }
  for (const segment of relative.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (start.length === 0) throw new WalkRefused({ kind: 'outside' });
      start.pop();
    } else {
      start.push(segment);
    }
  }
  return [...start, ...rest];
}

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith('/') ? root : `${root}/`);
}

function missingOn(error: unknown): never {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') throw new WalkRefused({ kind: 'symlink-loop' });
  throw new WalkRefused({ kind: 'missing' });
}

interface Step {
  readonly handle: FileHandle;
  readonly stats: Stats;
}

async function lookup(parent: FileHandle, name: string): Promise<Step> {
  const handle = await open(`${FD_DIR}/${parent.fd}/${name}`, O_PATH | constants.O_NOFOLLOW).catch(missingOn);
  try {
    return { handle, stats: await handle.stat() };
  } catch (error) {
    await handle.close();
    return missingOn(error);
  }
}

/** The directory walked beneath: as configured, and as realpath() spelled it when serving began. */
export interface WalkRoot {
  readonly dir: string;
  readonly real: string;
}

/**
 * Opens `segments` (plain names, no `.`, `..` or `/`) beneath the root for reading. An absolute
 * symlink may spell the root either way. The opened file's own path must still be under the real
 * root, so a directory moved out of the root mid-walk is caught too.
 */
export async function openBeneath(root: WalkRoot, segments: readonly string[]): Promise<{ handle: FileHandle; stats: Stats }> {
  const roots = [root.dir, root.real];
  let pending = [...segments];
  for (let hops = 0; hops <= MAX_SYMLINK_HOPS; hops++) {
    const held: FileHandle[] = [];
    try {
      let parent = await open(root.dir, O_PATH | constants.O_DIRECTORY).catch(missingOn);
      held.push(parent);
      const walked: string[] = [];
      let restart: string[] | undefined;
      for (let i = 0; i < pending.length && restart === undefined; i++) {
        const name = pending[i] as string;
        const step = await lookup(parent, name);
        held.push(step.handle);
        const last = i === pending.length - 1;
        if (step.stats.isSymbolicLink()) {
          const target = await readlink(`${FD_DIR}/${parent.fd}/${name}`).catch(missingOn);
          restart = followTarget(target, walked, pending.slice(i + 1), roots);
        } else if (!last) {
          if (!step.stats.isDirectory()) throw new WalkRefused({ kind: 'missing' });
          parent = step.handle;
          walked.push(name);
        } else {
          if (!step.stats.isFile()) throw new WalkRefused({ kind: 'not-a-file', type: fileType(step.stats) });
          const real = await readlink(`${FD_DIR}/${step.handle.fd}`).catch(missingOn);
          if (!isInside(root.real, real)) throw new WalkRefused({ kind: 'outside' });
          // Re-opening the descriptor's link opens that same inode, now for reading. It is known to be a
          // regular file, so O_NONBLOCK changes nothing; it is there in case that ever stops being true.
          const readable = await open(`${FD_DIR}/${step.handle.fd}`, constants.O_RDONLY | constants.O_NONBLOCK).catch(missingOn);
          return { handle: readable, stats: step.stats };
        }
      }
      if (restart === undefined) throw new WalkRefused({ kind: 'missing' });
      pending = restart;
    } finally {
      await Promise.all(held.map((handle) => handle.close()));
    }
  }
  throw new WalkRefused({ kind: 'symlink-loop' });
}
