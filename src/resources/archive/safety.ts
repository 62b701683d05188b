/**
 * The zip-slip rules of unarchive: every entry must land inside the destination. Refused are names
 * that are absolute (`/etc/x`, `C:\x`), names with a `..` component, symlinks whose target leaves the
 * destination, and entries that would be written through a symlink (one from the archive, or one that
 * already exists in the destination and points elsewhere).
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';

/** An entry that would land outside the destination; the whole unarchive is refused. */
export class UnsafeEntryError extends Error {
  override readonly name = 'UnsafeEntryError';
}

/**
 * The entry's path relative to the destination, with `/` separators and no `.` or empty components
 * (`./a//b/` becomes `a/b`). Empty for the archive root itself.
 */
export function normaliseEntryName(name: string): string {
  const unsafe = (why: string): UnsafeEntryError => new UnsafeEntryError(`refusing entry "${name}": ${why}`);
  if (name.includes('\0')) throw unsafe('the name contains a NUL byte');
  const slashed = name.replace(/\\/g, '/');
  if (slashed.startsWith('/') || /^[a-zA-Z]:/.test(slashed)) throw unsafe('absolute paths are not allowed');
  const parts = slashed.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw unsafe('".." would leave the destination');
  return parts.join('/');
}

/** Refuses a symlink entry whose target, resolved from the link's directory, leaves the destination. */
export function checkLinkTarget(entryPath: string, target: string): void {
  if (target === '' || target.startsWith('/') || /^[a-zA-Z]:/.test(target)) {
    throw new UnsafeEntryError(`refusing symlink "${entryPath}" -> "${target}": the target is outside the destination`);
  }
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(entryPath), target));
  if (resolved === '..' || resolved.startsWith('../')) {
    throw new UnsafeEntryError(`refusing symlink "${entryPath}" -> "${target}": the target is outside the destination`);
  }
}

/** Tracks the symlinks an archive defines, so that later entries cannot be written through them. */
export class LinkTracker {
  readonly #links = new Set<string>();

  add(entryPath: string): void {
    this.#links.add(entryPath);
  }

  /** Refuses `a/b/c` when `a` or `a/b` is a symlink entry of the same archive. */
  checkParents(entryPath: string): void {
    const parts = entryPath.split('/');
    for (let i = 1; i < parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (this.#links.has(prefix)) {
        throw new UnsafeEntryError(`refusing entry "${entryPath}": it would be written through the symlink "${prefix}"`);
      }
    }
  }
}

/**
 * At write time: the directory an entry goes into must resolve (following existing symlinks) to a
 * place inside the destination's real path.
 */
export async function checkRealParent(destinationReal: string, parentDir: string, entryPath: string): Promise<void> {
  const real = await realpath(parentDir);
  if (real !== destinationReal && !real.startsWith(destinationReal + path.sep)) {
    throw new UnsafeEntryError(`refusing entry "${entryPath}": its directory resolves to "${real}", outside the destination`);
  }
}
