/**
 * The writing pass of unarchive: reads the archive again and writes only the entries the plan marked
 * create or replace. Files and symlinks go to a temp name in their directory and are renamed into
 * place, so a reader never sees half a file, and a rename replaces a symlink instead of following it.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, rm, symlink, utimes } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { walkArchive } from './read.js';
import { checkRealParent, normaliseEntryName } from './safety.js';
import type { PlannedEntry } from './unarchive-plan.js';

function tempName(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${randomBytes(6).toString('hex')}.converge-tmp`);
}

export async function writeEntries(
  source: string,
  destination: string,
  destinationReal: string,
  todo: readonly PlannedEntry[],
  signal?: AbortSignal,
): Promise<void> {
  const wanted = new Map(todo.map((e) => [e.archivePath, e]));
  const createdDirs: PlannedEntry[] = [];
  await walkArchive(
    source,
    async (entry, content) => {
      const planned = wanted.get(normaliseEntryName(entry.name));
      if (!planned) {
        content?.resume();
        return;
      }
      const target = path.join(destination, planned.path);
      await mkdir(path.dirname(target), { recursive: true });
      await checkRealParent(destinationReal, path.dirname(target), planned.path);
      if (planned.kind === 'directory') {
        await mkdir(target, { recursive: true });
        createdDirs.push(planned);
        return;
      }
      const temp = tempName(target);
      try {
        if (planned.kind === 'symlink') {
          await symlink(planned.linkTarget ?? '', temp);
        } else if (content) {
          await pipeline(content, createWriteStream(temp, { mode: 0o600 }));
          await chmod(temp, planned.mode);
          if (planned.mtime) await utimes(temp, planned.mtime, planned.mtime);
        }
        await rename(temp, target);
      } catch (error) {
        await rm(temp, { force: true });
        throw error;
      }
    },
    signal,
  );
  // Modes last: a read-only directory from the archive must not stop the files going into it.
  for (const dir of createdDirs) await chmod(path.join(destination, dir.path), dir.mode);
}
