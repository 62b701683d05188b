/**
 * What unarchive has to do: reads the archive once (names, kinds, sizes, sha256 of each file), refuses
 * unsafe entries, and compares every entry with the destination. A plan right after an apply finds
 * every entry in place and reports no change (the original reported a change on every plan).
 *
 * Every entry keeps its full name under the destination, top-level directory included
 * (`app-1.2/bin/app` lands at `<destination>/app-1.2/bin/app`), as the original's decompressors do.
 */
import { createHash } from 'node:crypto';
import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { walkArchive, type RawEntry } from './read.js';
import { checkLinkTarget, LinkTracker, normaliseEntryName, UnsafeEntryError } from './safety.js';
import { hashFile } from '../file/hashing.js';

/** An archive entry with its place in the destination and what has to happen to it. */
export interface PlannedEntry extends Omit<RawEntry, 'name'> {
  /** Name in the archive after normalising (the key for the second, writing pass). */
  readonly archivePath: string;
  /** Path relative to the destination: the entry's normalised name. */
  readonly path: string;
  readonly sha256?: string;
  /** ok: already in place; create: missing; replace: differs (needs `force`); blocked: cannot be replaced. */
  readonly action: 'ok' | 'create' | 'replace' | 'blocked';
  readonly reason?: string;
}

export interface ArchivePlan {
  readonly entries: readonly PlannedEntry[];
  readonly create: readonly PlannedEntry[];
  readonly replace: readonly PlannedEntry[];
  readonly blocked: readonly PlannedEntry[];
}

type Scanned = Omit<PlannedEntry, 'path' | 'action' | 'reason'>;

/** Reads every entry of the archive, refusing unsafe ones (UnsafeEntryError). */
export async function scanArchive(source: string, signal?: AbortSignal): Promise<Scanned[]> {
  const scanned: Scanned[] = [];
  const links = new LinkTracker();
  await walkArchive(
    source,
    async (entry, content) => {
      const archivePath = normaliseEntryName(entry.name);
      if (archivePath === '') {
        content?.resume();
        return;
      }
      links.checkParents(archivePath);
      if (entry.kind === 'symlink') {
        checkLinkTarget(archivePath, entry.linkTarget ?? '');
        links.add(archivePath);
      }
      let sha256: string | undefined;
      if (content) {
        const hash = createHash('sha256');
        for await (const chunk of content) hash.update(chunk as Buffer);
        sha256 = hash.digest('hex');
      }
      scanned.push({
        archivePath,
        kind: entry.kind,
        mode: entry.mode,
        size: entry.size,
        mtime: entry.mtime,
        ...(entry.linkTarget !== undefined ? { linkTarget: entry.linkTarget } : {}),
        ...(sha256 !== undefined ? { sha256 } : {}),
      });
    },
    signal,
  );
  return scanned;
}

/** Compares each entry with what is at the destination. */
export async function planArchive(source: string, destination: string, signal?: AbortSignal): Promise<ArchivePlan> {
  const scanned = await scanArchive(source, signal);
  const destinationReal = await realpath(destination);
  const entries: PlannedEntry[] = [];
  for (const entry of scanned) {
    const compared = await compare({ ...entry, path: entry.archivePath }, destination, destinationReal);
    entries.push(compared);
  }
  return {
    entries,
    create: entries.filter((e) => e.action === 'create'),
    replace: entries.filter((e) => e.action === 'replace'),
    blocked: entries.filter((e) => e.action === 'blocked'),
  };
}

async function compare(
  entry: Scanned & { readonly path: string },
  destination: string,
  destinationReal: string,
): Promise<PlannedEntry> {
  const target = path.join(destination, entry.path);
  await checkExistingParents(destination, destinationReal, entry.path);
  const info = await lstat(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!info) return { ...entry, action: 'create' };
  switch (entry.kind) {
    case 'directory':
      return info.isDirectory()
        ? { ...entry, action: 'ok' }
        : { ...entry, action: 'blocked', reason: `"${entry.path}" exists at "${destination}" and is not a directory` };
    case 'symlink':
      if (info.isDirectory()) return { ...entry, action: 'blocked', reason: `"${entry.path}" is a directory at "${destination}"` };
      if (info.isSymbolicLink() && (await readlink(target)) === entry.linkTarget) return { ...entry, action: 'ok' };
      return { ...entry, action: 'replace', reason: `will not replace, "${entry.path}" exists at "${destination}": link target mismatch` };
    case 'file':
      if (info.isDirectory()) return { ...entry, action: 'blocked', reason: `"${entry.path}" is a directory at "${destination}"` };
      if (info.isFile() && info.size === entry.size && (await hashFile(target, 'sha256')) === entry.sha256) {
        return { ...entry, action: 'ok' };
      }
      return { ...entry, action: 'replace', reason: `will not replace, "${entry.path}" exists at "${destination}": checksum mismatch` };
  }
}

/** A directory already in the destination may be a symlink to elsewhere; nothing is written through it. */
async function checkExistingParents(destination: string, destinationReal: string, rel: string): Promise<void> {
  const parts = rel.split('/').slice(0, -1);
  let dir = destination;
  for (const part of parts) {
    dir = path.join(dir, part);
    const real = await realpath(dir).catch(() => undefined);
    if (real === undefined) return;
    if (real !== destinationReal && !real.startsWith(destinationReal + path.sep)) {
      throw new UnsafeEntryError(`refusing entry "${rel}": its directory resolves to "${real}", outside the destination`);
    }
  }
}
