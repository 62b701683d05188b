/**
 * unarchive: unpacks a local tar, tar.gz/tgz, tar.bz2 or zip archive into an
 * existing directory. Idempotent: entries already in place (same kind, size and content) are left
 * alone, so a plan after apply reports no change. Files that differ are replaced only with `force`.
 * Entries that would land outside the destination are refused (safety.ts).
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { getErrorMessage } from '../../errors.js';
import { ArchiveError } from './read.js';
import { UnsafeEntryError } from './safety.js';
import { checksumFields, hashFile } from '../file/hashing.js';
import { StatusBuilder } from '../status.js';
import { sourceExports, sourceSpec, type SourceSpec } from '../file/source-spec.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';
import { planArchive, type ArchivePlan } from './unarchive-plan.js';
import { writeEntries } from './unarchive-write.js';

interface UnarchiveSpec extends SourceSpec {
  /** The archive's absolute path. */
  readonly source: string;
}

/** Entries named in a plan's message before it says "and N more". */
const LISTED = 10;

function listPaths(entries: ArchivePlan['create']): string {
  const names = entries.slice(0, LISTED).map((e) => e.path);
  const more = entries.length > LISTED ? ` and ${entries.length - LISTED} more` : '';
  return names.join(', ') + more;
}

type Planned = { readonly status: StatusBuilder; readonly plan?: ArchivePlan; readonly error?: string };

class UnarchiveTask implements Task {
  readonly #spec: UnarchiveSpec;

  constructor(spec: UnarchiveSpec) {
    this.#spec = spec;
  }

  async #plan(signal: AbortSignal): Promise<Planned> {
    const { source, sourceText, destination, destinationText, checksum, force } = this.#spec;
    const status = new StatusBuilder();
    const cant = (error: string): Planned => ({ status: status.raise(StatusLevel.CantChange), error });
    const sourceInfo = await stat(source).catch((e: NodeJS.ErrnoException) => e);
    if (sourceInfo instanceof Error) return cant(`cannot unarchive: ${sourceInfo.message}`);
    if (!sourceInfo.isFile()) return cant(`cannot unarchive: "${sourceText}" is not a file`);
    const destInfo = await stat(destination).catch(() => undefined);
    if (!destInfo) return cant(`destination "${destinationText}" does not exist`);
    if (!destInfo.isDirectory()) return cant(`invalid destination "${destinationText}", must be directory`);
    if (checksum) {
      const actual = await hashFile(source, checksum.type, signal);
      if (actual !== checksum.hex) {
        status.message(`checksum mismatch: expected ${checksum.type} ${checksum.hex}, got ${actual}`);
        return cant(`cannot attempt unarchive: checksum of "${sourceText}" does not match`);
      }
    }
    let plan: ArchivePlan;
    try {
      plan = await planArchive(source, destination, signal);
    } catch (error) {
      if (error instanceof UnsafeEntryError || error instanceof ArchiveError) return cant(error.message);
      throw error;
    }
    const first = plan.blocked[0];
    if (first) return cant(first.reason ?? `cannot unarchive into "${destinationText}"`);
    const mismatch = plan.replace[0];
    if (mismatch && !force) {
      status.message('use the "force" option to replace all files with checksum mismatch');
      return cant(mismatch.reason ?? 'checksum mismatch');
    }
    if (plan.create.length + plan.replace.length === 0) {
      const n = plan.entries.length;
      status.message(`"${destinationText}" already holds the ${n} ${n === 1 ? 'entry' : 'entries'} of "${sourceText}"`);
      return { status, plan };
    }
    status.diff('unarchive', sourceText, destinationText).message(`fetch and unarchive "${sourceText}"`);
    if (plan.create.length > 0) status.message(`${plan.create.length} to create: ${listPaths(plan.create)}`);
    if (plan.replace.length > 0) status.message(`${plan.replace.length} to replace: ${listPaths(plan.replace)}`);
    return { status, plan };
  }

  async check(ctx: RunContext): Promise<ResourceStatus> {
    const { status, error } = await this.#plan(ctx.signal);
    return error === undefined ? status.build() : status.fail(StatusLevel.CantChange, error);
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    const { status, plan, error } = await this.#plan(ctx.signal);
    if (error !== undefined) return status.fail(StatusLevel.CantChange, error);
    if (!plan || plan.create.length + plan.replace.length === 0) return status.build();
    const { source, destination, sourceText } = this.#spec;
    try {
      const destinationReal = await realpath(destination);
      await writeEntries(source, destination, destinationReal, [...plan.create, ...plan.replace], ctx.signal);
    } catch (failure) {
      return new StatusBuilder().fail(StatusLevel.Fatal, `error placing files in "${this.#spec.destinationText}": ${getErrorMessage(failure)}`);
    }
    return status.message(`completed fetch and unarchive "${sourceText}"`).build();
  }

  exported(): Readonly<Record<string, unknown>> {
    return sourceExports(this.#spec);
  }
}

export const unarchive: ResourceDefinition = {
  kind: 'unarchive',
  doc:
    'Unpacks a local tar, tar.gz/tgz, tar.bz2 or zip archive (recognised by content) into an existing ' +
    'directory. Entries already in place are left alone, so a plan after apply shows no change. ' +
    'Entries keep their full names, top-level directory included, as in the original. ' +
    'Entries that would land outside the destination (absolute names, `..`, symlinks) are refused.',
  fields: [
    { name: 'source', type: 'string', required: true, nonempty: true, doc: 'The archive to unpack; it must exist locally.' },
    { name: 'destination', type: 'string', required: true, nonempty: true, doc: 'The directory to unpack into; it must exist.' },
    ...checksumFields('archive'),
    {
      name: 'force',
      type: 'bool',
      doc: 'Replaces files and symlinks in the destination whose content differs from the archive.',
    },
  ],
  exports: ['source', 'destination', 'hash_type', 'hash', 'force'],
  prepare(fields: DecodedFields, ctx: PrepareContext): Task {
    const shared = sourceSpec(fields, ctx);
    return new UnarchiveTask({ ...shared, source: path.resolve(ctx.cwd, shared.sourceText) });
  },
};
