/**
 * file.fetch: a file fetched from an http, https or file source. Without a hash an
 * existing destination counts as done (unless `force`); with one, a destination with the right
 * checksum is left alone and a wrong one is replaced only with `force`.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { download, DownloadError } from './fetch-download.js';
import { checksumFields, hashFile } from './hashing.js';
import { prepareError } from '../command.js';
import { StatusBuilder } from '../status.js';
import { sourceExports, sourceSpec, type SourceSpec } from './source-spec.js';
import {
  StatusLevel,
  type DecodedFields,
  type PrepareContext,
  type ResourceDefinition,
  type ResourceStatus,
  type RunContext,
  type Task,
} from '../types.js';

/** Default inactivity timeout: long enough for slow mirrors, short enough that a dead server fails. */
export const FETCH_TIMEOUT_SECONDS = 60;

interface FetchSpec extends SourceSpec {
  readonly source: URL;
  readonly timeoutMs: number;
}

/** http, https and file URLs; anything without a scheme is a local path relative to `cwd`. */
export function sourceUrl(source: string, cwd: string): URL | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(source)) {
    try {
      return new URL(source);
    } catch {
      return undefined;
    }
  }
  return pathToFileURL(path.resolve(cwd, source));
}

class FetchTask implements Task {
  readonly #spec: FetchSpec;
  /** The engine re-checks after apply; a forced fetch without a hash would otherwise never settle. */
  #applied = false;

  constructor(spec: FetchSpec) {
    this.#spec = spec;
  }

  async #diff(status: StatusBuilder, signal: AbortSignal): Promise<string | undefined> {
    const { destination, destinationText, checksum, force } = this.#spec;
    const info = await stat(destination).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (!info) {
      status.diff('destination', '<absent>', destinationText);
      return undefined;
    }
    if (info.isDirectory()) {
      status.raise(StatusLevel.CantChange);
      return `invalid destination "${destinationText}", cannot be directory`;
    }
    if (checksum) {
      const actual = await hashFile(destination, checksum.type, signal);
      if (actual === checksum.hex) status.message('file exists');
      else if (force) status.diff('checksum', actual, checksum.hex).message('checksum mismatch');
      else {
        status.message('checksum mismatch, use the "force" option to replace').raise(StatusLevel.CantChange);
        return 'will not attempt fetch: checksum mismatch';
      }
    } else if (force) {
      status.diff('destination', '<force fetch>', destinationText).message('file exists, will fetch due to "force"');
    } else {
      status.message('file exists');
    }
    return undefined;
  }

  async check(ctx: RunContext): Promise<ResourceStatus> {
    const status = new StatusBuilder();
    if (this.#applied) return status.message('file exists').build();
    const error = await this.#diff(status, ctx.signal);
    return error === undefined ? status.build() : status.fail(StatusLevel.CantChange, error);
  }

  async apply(ctx: RunContext): Promise<ResourceStatus> {
    const status = new StatusBuilder();
    const error = await this.#diff(status, ctx.signal);
    if (error !== undefined) return status.fail(StatusLevel.CantChange, error);
    if (!status.hasDiffChanges) return status.build();
    ctx.progress?.(`fetching ${this.#spec.sourceText}`);
    try {
      await download({
        source: this.#spec.source,
        destination: this.#spec.destination,
        checksum: this.#spec.checksum,
        inactivityMs: this.#spec.timeoutMs,
        signal: ctx.signal,
      });
    } catch (failure) {
      if (!(failure instanceof DownloadError)) throw failure;
      return new StatusBuilder().fail(StatusLevel.Fatal, failure.message);
    }
    this.#applied = true;
    return status.message('fetched successfully').build();
  }

  exported(): Readonly<Record<string, unknown>> {
    return sourceExports(this.#spec);
  }
}

export const fileFetch: ResourceDefinition = {
  kind: 'file.fetch',
  doc:
    'Fetches a file from an http, https or file source. The download goes to a temp file in the ' +
    "destination's directory and is renamed into place only after it completed and its hash matched, " +
    'so a failed fetch never leaves a partial file behind.',
  fields: [
    { name: 'source', type: 'string', required: true, nonempty: true, doc: 'The location of the file: an http, https or file URL, or a local path.' },
    { name: 'destination', type: 'string', required: true, nonempty: true, doc: 'Where the fetched file is written.' },
    ...checksumFields('file'),
    {
      name: 'force',
      type: 'bool',
      doc: 'Fetches even when the destination exists: always without a hash, or when its checksum differs from `hash`.',
    },
    {
      name: 'timeout',
      type: 'duration',
      doc: `How long to wait for the server's response or for more data before failing (default ${FETCH_TIMEOUT_SECONDS}s; our addition).`,
    },
  ],
  exports: ['source', 'destination', 'hash_type', 'hash', 'force'],
  prepare(fields: DecodedFields, ctx: PrepareContext): Task {
    const sourceText = String(fields['source']);
    if (sourceText.trim() === '') throw prepareError(ctx, 'source', '"source" must contain a value');
    const source = sourceUrl(sourceText, ctx.cwd);
    if (!source) throw prepareError(ctx, 'source', `failed to parse "source": ${sourceText}`);
    if (!['http:', 'https:', 'file:'].includes(source.protocol)) {
      throw prepareError(ctx, 'source', `protocol "${source.protocol.slice(0, -1)}" is not implemented`);
    }
    const destinationText = String(fields['destination']);
    if (destinationText.trim() === '') throw prepareError(ctx, 'destination', '"destination" must contain a value');
    return new FetchTask({
      ...sourceSpec(fields, ctx),
      source,
      timeoutMs: durationMs(fields['timeout']) ?? FETCH_TIMEOUT_SECONDS * 1000,
    });
  },
};

/** A decoded `duration` field in milliseconds (the decoder gives milliseconds as a number). */
export function durationMs(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
