/**
 * The transfer behind file.fetch: http(s) through the platform fetch, file sources through the file
 * system. The bytes go to a temp file next to the destination and are hashed on the way; the temp file
 * is renamed over the destination only when the transfer completed and the hash (if any) matched, so a
 * failed or interrupted fetch never leaves a partial file at the destination.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { newHash, type Checksum } from './hashing.js';

export interface DownloadRequest {
  /** An http(s) or file URL. */
  readonly source: URL;
  /** Absolute path. */
  readonly destination: string;
  readonly checksum: Checksum | undefined;
  /** Longest wait for the response or for the next bytes of the body, in milliseconds. */
  readonly inactivityMs: number;
  readonly signal: AbortSignal;
}

/** A transfer that failed; `message` is the node's error text. */
export class DownloadError extends Error {
  override readonly name = 'DownloadError';
}

export async function download(request: DownloadRequest): Promise<void> {
  const dir = path.dirname(request.destination);
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(request.destination)}.${randomBytes(6).toString('hex')}.converge-tmp`);
  const controller = new AbortController();
  const signal = AbortSignal.any([controller.signal, request.signal]);
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = (): void => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new DownloadError(`no data received for ${request.inactivityMs / 1000}s (timeout)`));
    }, request.inactivityMs);
  };
  const hash = request.checksum ? newHash(request.checksum.type) : undefined;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      arm();
      hash?.update(chunk);
      done(null, chunk);
    },
  });
  try {
    arm();
    const body = await open(request.source, signal);
    await pipeline(body, meter, createWriteStream(temp, { mode: 0o644 }), { signal });
    clearTimeout(timer);
    if (hash && request.checksum) {
      const actual = hash.digest('hex');
      if (actual !== request.checksum.hex) {
        throw new DownloadError(`checksum mismatch: expected ${request.checksum.type} ${request.checksum.hex}, got ${actual}`);
      }
    }
    // A replaced file keeps its permissions, like an edit in place would.
    const previous = await stat(request.destination).catch(() => undefined);
    if (previous) await chmod(temp, previous.mode & 0o7777);
    await rename(temp, request.destination);
  } catch (error) {
    await rm(temp, { force: true });
    if (timedOut) throw new DownloadError(`failed to fetch: no data received for ${request.inactivityMs / 1000}s (timeout)`);
    if (error instanceof DownloadError) throw error;
    throw new DownloadError(`failed to fetch: ${describe(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

async function open(source: URL, signal: AbortSignal): Promise<Readable> {
  if (source.protocol === 'file:') {
    return createReadStream(source, { signal });
  }
  const response = await fetch(source, { signal, redirect: 'follow' });
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new DownloadError(`failed to fetch: bad response code: ${response.status}`);
  }
  if (!response.body) return Readable.from([]);
  return Readable.fromWeb(response.body as unknown as WebReadableStream<Uint8Array>, { signal });
}

/** Undici wraps socket errors as `TypeError: terminated` with the reason in `cause`. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
