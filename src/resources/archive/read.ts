/**
 * Reads archives entry by entry for unarchive: tar (plain, gzip, bzip2) through `tar`'s parser and
 * `unbzip2-stream`, zip through `yauzl`. Entries come out with their raw names; deciding whether a
 * name is safe is safety.ts's job, so every format is judged by the same rules.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadEntry } from 'tar';
import type yauzl from 'yauzl';

export type ArchiveFormat = 'tar' | 'tar.gz' | 'tar.bz2' | 'zip';
export type EntryKind = 'file' | 'directory' | 'symlink';

export interface RawEntry {
  /** As stored in the archive (not yet normalised or checked). */
  readonly name: string;
  readonly kind: EntryKind;
  /** Permission bits. */
  readonly mode: number;
  readonly size: number;
  readonly mtime: Date | undefined;
  /** Symlinks only. */
  readonly linkTarget?: string;
}

/**
 * Called once per entry, in archive order. `content` is set for files and must be consumed (or
 * resumed) before the returned promise settles; the next entry is read after that.
 */
export type EntryVisitor = (entry: RawEntry, content: Readable | undefined) => Promise<void>;

/** An archive that cannot be read: unknown format, corrupt data, or an entry type we do not unpack. */
export class ArchiveError extends Error {
  override readonly name = 'ArchiveError';
}

/** Recognises the format from the first bytes, not from the file name. */
export async function detectFormat(file: string): Promise<ArchiveFormat> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(512);
    const { bytesRead } = await handle.read(head, 0, 512, 0);
    if (bytesRead >= 4 && head.readUInt32BE(0) === 0x504b0304) return 'zip';
    if (bytesRead >= 4 && head.readUInt32BE(0) === 0x504b0506) return 'zip'; // empty zip
    if (bytesRead >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'tar.gz';
    if (bytesRead >= 3 && head.subarray(0, 3).toString('latin1') === 'BZh') return 'tar.bz2';
    if (bytesRead >= 262 && head.subarray(257, 262).toString('latin1') === 'ustar') return 'tar';
    throw new ArchiveError(`unrecognised archive format (not tar, tar.gz, tar.bz2 or zip)`);
  } finally {
    await handle.close();
  }
}

export async function walkArchive(file: string, visit: EntryVisitor, signal?: AbortSignal): Promise<ArchiveFormat> {
  const format = await detectFormat(file);
  if (format === 'zip') await walkZip(file, visit, signal);
  else await walkTar(file, format, visit, signal);
  return format;
}

const TAR_KINDS: Partial<Record<ReadEntry['type'], EntryKind>> = {
  File: 'file',
  OldFile: 'file',
  ContiguousFile: 'file',
  Directory: 'directory',
  SymbolicLink: 'symlink',
};

async function walkTar(file: string, format: ArchiveFormat, visit: EntryVisitor, signal?: AbortSignal): Promise<void> {
  // The parser calls back synchronously per entry; visits are chained so they run one at a time, and
  // the entry's stream applies back-pressure to the parser until the visit consumes it.
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  // The archive libraries load on first use: together they cost more start-up than the rest of the
  // engine, and most jobs unpack nothing.
  const { Parser } = await import('tar');
  const parser = new Parser({
    strict: true,
    noResume: true,
    onReadEntry(entry: ReadEntry) {
      const kind = TAR_KINDS[entry.type];
      if (!kind) {
        entry.resume();
        failure ??= new ArchiveError(`unsupported entry type ${entry.type} for "${entry.path}"`);
        return;
      }
      const raw: RawEntry = {
        name: entry.path,
        kind,
        mode: (entry.mode ?? (kind === 'directory' ? 0o755 : 0o644)) & 0o7777,
        size: entry.size,
        mtime: entry.mtime,
        ...(kind === 'symlink' ? { linkTarget: entry.linkpath ?? '' } : {}),
      };
      const content = kind === 'file' ? (entry as unknown as Readable) : undefined;
      if (!content) entry.resume();
      chain = chain.then(async () => {
        if (failure) {
          content?.resume();
          return;
        }
        try {
          await visit(raw, content);
        } catch (error) {
          failure ??= error;
          content?.resume();
        }
      });
    },
  });
  const source = createReadStream(file, signal ? { signal } : {});
  const bz2 = format === 'tar.bz2' ? (await import('unbzip2-stream')).default : undefined;
  const stages: NodeJS.ReadableStream[] = bz2 ? [source, bz2()] : [source];
  try {
    await pipeline([...stages, parser as unknown as NodeJS.WritableStream], signal ? { signal } : {});
  } catch (error) {
    failure ??= error instanceof Error && !(error instanceof ArchiveError) ? new ArchiveError(`cannot read archive: ${error.message}`) : error;
  }
  await chain;
  if (failure) throw failure;
}

/** Zip's "version made by" high byte 3 is Unix; its external attributes then hold st_mode. */
function zipMode(entry: yauzl.Entry): number {
  return entry.versionMadeBy >> 8 === 3 ? (entry.externalFileAttributes >>> 16) & 0o177777 : 0;
}

async function walkZip(file: string, visit: EntryVisitor, signal?: AbortSignal): Promise<void> {
  // Names are decoded here rather than by yauzl, which would reject unsafe names with its own
  // messages before safety.ts could report them in ours.
  const { default: yauzl } = await import('yauzl');
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, decodeStrings: false, validateEntrySizes: true });
  } catch (error) {
    throw new ArchiveError(`cannot read archive: ${(error as Error).message}`);
  }
  try {
    for await (const entry of zip.eachEntry()) {
      signal?.throwIfAborted();
      const raw = entry.fileNameRaw ?? (entry.fileName as unknown as Buffer);
      const name = yauzl.getFileNameLowLevel(entry.generalPurposeBitFlag, raw, entry.extraFields, false).replace(/\\/g, '/');
      const st = zipMode(entry);
      const isDir = name.endsWith('/') || (st & 0o170000) === 0o040000;
      const isLink = (st & 0o170000) === 0o120000;
      const base = { name, mode: (st & 0o7777) || (isDir ? 0o755 : 0o644), mtime: entry.getLastModDate() };
      if (isDir) {
        await visit({ ...base, kind: 'directory', size: 0 }, undefined);
      } else if (isLink) {
        const stream = await zip.openReadStreamPromise(entry);
        const chunks: Buffer[] = [];
        for await (const chunk of stream) chunks.push(chunk as Buffer);
        await visit({ ...base, kind: 'symlink', size: 0, linkTarget: Buffer.concat(chunks).toString('utf8') }, undefined);
      } else {
        if (entry.isEncrypted()) throw new ArchiveError(`encrypted entry "${name}" is not supported`);
        const stream = await zip.openReadStreamPromise(entry);
        await visit({ ...base, kind: 'file', size: entry.uncompressedSize }, stream);
        // A visitor that did not read the content still has to drain it before the next entry.
        if (!stream.readableEnded) {
          stream.resume();
          await new Promise<void>((resolve) => stream.once('close', () => resolve()));
        }
      }
    }
  } catch (error) {
    if (error instanceof ArchiveError || (error as Error).name === 'AbortError') throw error;
    throw new ArchiveError(`cannot read archive: ${(error as Error).message}`);
  } finally {
    zip.close();
  }
}

/** Reads a stream to its end, for visitors that only look at names. */
export async function drain(content: Readable | undefined): Promise<void> {
  if (content) await pipeline(content, new Writable({ write: (_chunk, _enc, done) => done() }));
}
