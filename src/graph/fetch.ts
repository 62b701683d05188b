/**
 * Module fetching: file://, http:// and https://, the schemes the original supports. Relative sources resolve
 * against the calling file's URL, so a module served over HTTP pulls its own includes from the same server.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConvergeError, getErrorMessage } from '../errors.js';
import { fileKind } from '../file-kind.js';
import { mintToken } from '../jwt.js';
import { DEFAULT_RUN_LIMITS, limitError } from './limits.js';

const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

/** Resolves the job's top-level location: a URL, or a path relative to `cwd`. */
export function resolveTopLocation(location: string, cwd: string): URL {
  checkSource(location);
  const scheme = SCHEME.exec(location);
  if (scheme !== null && scheme[1]!.length > 1) return checkedUrl(parseUrl(location));
  return pathToFileURL(path.resolve(cwd, location));
}

/** Resolves a module source against the URL of the file that calls it. */
export function resolveInContext(source: string, base: URL): URL {
  checkSource(source);
  const scheme = SCHEME.exec(source);
  if (scheme !== null && scheme[1]!.length > 1) return checkedUrl(parseUrl(source));
  if (base.protocol === 'file:' && path.isAbsolute(source)) return pathToFileURL(source);
  // Plain paths may contain characters that are special in URLs (`#`, `?`): encode them first.
  return checkedUrl(parseUrl(source.split('/').map(encodeURIComponent).join('/'), base));
}

/** No path or URL may hold a NUL: the file system refuses it, and a URL would carry it as %00. */
function checkSource(source: string): void {
  if (source.includes('\0')) {
    throw new ConvergeError('CNV_ERR_LOAD_SOURCE', `module source ${JSON.stringify(source)} contains a NUL character`);
  }
}

/** `new URL`, with a malformed URL (`http://[::1`) as CNV_ERR_LOAD_SOURCE instead of a TypeError. */
function parseUrl(text: string, base?: URL): URL {
  try {
    return new URL(text, base);
  } catch {
    throw new ConvergeError('CNV_ERR_LOAD_SOURCE', `module source ${JSON.stringify(text)} is not a valid URL`);
  }
}

function checkedUrl(url: URL): URL {
  const protocol = url.protocol.slice(0, -1);
  if (protocol !== 'file' && protocol !== 'http' && protocol !== 'https') {
    throw new ConvergeError('CNV_ERR_LOAD_PROTOCOL', `protocol "${protocol}" is not implemented`, {
      url: url.href,
    });
  }
  return url;
}

/** How a fetched file is named in errors: a path relative to `cwd` when possible, else the URL. */
export function displayName(url: URL, cwd: string): string {
  if (url.protocol !== 'file:') return url.href;
  let file: string;
  try {
    file = fileURLToPath(url);
  } catch {
    return url.href;
  }
  const rel = path.relative(cwd, file);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}

export interface FetchOptions {
  /** Tokens by URL origin; a JWT minted from the token is sent as `Authorization: BEARER <jwt>`. */
  readonly moduleTokens?: Readonly<Record<string, string>> | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Bytes one module file may have; past it the file is not read further (CNV_ERR_LIMIT_MODULE_SIZE). */
  readonly maxBytes?: number | undefined;
}

/** The error of a module file past --max-module-size, naming the file. */
function tooLarge(url: URL, maxBytes: number, size?: number): ConvergeError {
  const limit = limitError('moduleBytes', maxBytes);
  const what = size === undefined ? 'is larger than allowed' : `has ${size} bytes`;
  return new ConvergeError(limit.code, `${url.href} ${what}: ${limit.message}`, { ...limit.details, url: url.href });
}

/** Reads a response body as UTF-8, refusing it as soon as it passes `maxBytes`. */
async function boundedText(response: Response, url: URL, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel();
    throw tooLarge(url, maxBytes, declared);
  }
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(url, maxBytes);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Reads a module from disk, refusing anything but a regular file. The file is opened without blocking
 * and checked through its descriptor: a FIFO opened the usual way blocks until a writer comes (and
 * holds a libuv pool thread meanwhile), and a device such as /dev/zero never ends. A directory keeps
 * its EISDIR, so it stays "not found" as before.
 */
async function readLocalFile(file: string, url: URL, maxBytes: number): Promise<string> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw Object.assign(new Error(`EISDIR: ${file}`), { code: 'EISDIR' });
    if (!stats.isFile()) {
      throw new ConvergeError('CNV_ERR_LOAD_READ', `open ${file}: not a regular file (${fileKind(stats)})`, { url: url.href });
    }
    if (stats.size > maxBytes) throw tooLarge(url, maxBytes, stats.size);
    return await handle.readFile({ encoding: 'utf8' });
  } finally {
    await handle.close();
  }
}

/** Fetches one module file's text. Local failures are CNV_ERR_LOAD_NOT_FOUND/READ, remote ones CNV_ERR_LOAD_FETCH. */
export async function fetchModule(url: URL, options: FetchOptions = {}): Promise<string> {
  const maxBytes = options.maxBytes ?? DEFAULT_RUN_LIMITS.moduleBytes;
  if (url.protocol === 'file:') {
    let file: string;
    try {
      file = fileURLToPath(url);
    } catch (error) {
      // A file URL with an encoded slash or NUL, or a remote host (file://host/x).
      throw new ConvergeError('CNV_ERR_LOAD_SOURCE', `${url.href} is not a local file path: ${getErrorMessage(error)}`, { url: url.href });
    }
    try {
      return await readLocalFile(file, url, maxBytes);
    } catch (error) {
      if (error instanceof ConvergeError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      const missing = code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
      const why = code === 'EISDIR' ? 'is a directory' : missing ? 'no such file or directory' : String(error);
      // A missing file is the caller's mistake (404), not the server's unavailability.
      const errorCode = missing ? 'CNV_ERR_LOAD_NOT_FOUND' : 'CNV_ERR_LOAD_READ';
      throw new ConvergeError(errorCode, `open ${file}: ${why}`, { url: url.href }, { cause: error });
    }
  }
  const headers: Record<string, string> = { Accept: 'text/plain' };
  const token = options.moduleTokens?.[url.origin];
  if (token !== undefined) headers['Authorization'] = `BEARER ${await mintToken(token)}`;
  let response: Response;
  try {
    response = await fetch(url, { headers, ...(options.signal ? { signal: options.signal } : {}) });
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    const why = getErrorMessage(cause instanceof Error ? cause : error);
    throw new ConvergeError('CNV_ERR_LOAD_FETCH', `Get ${url.href}: ${why}`, { url: url.href }, { cause: error });
  }
  if (response.status >= 300) {
    await response.body?.cancel();
    throw new ConvergeError('CNV_ERR_LOAD_FETCH', `Fetching ${url.href} failed: ${response.status}`, {
      url: url.href,
      status: response.status,
    });
  }
  return boundedText(response, url, maxBytes);
}
