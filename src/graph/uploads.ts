/**
 * Uploaded modules (`--upload`, LoadRequest.files): the local modules that a top module includes, sent
 * with it to a remote server and keyed by their path relative to the top module's directory. The client
 * finds them by walking the includes with the loader's own parser; the server checks every key, and the
 * loader reads an include from them before it looks at the server's file system. Remote (http/https)
 * includes are never uploaded: the server fetches them as it would without --upload.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_UPLOAD_BYTES } from '../defaults.js';
import { ConvergeError, getErrorMessage, positionedError, type SourcePosition } from '../errors.js';
import { displayName, fetchModule, resolveInContext, resolveTopLocation } from './fetch.js';
import { parseHcl } from './hcl/index.js';

const MIB = 1024 * 1024;
/** `scheme:` of two letters or more: a URL, not a path (one letter is a Windows drive, still a path). */
const URL_SCHEME = /^[a-zA-Z][a-zA-Z0-9+.-]+:/;

/** The limit as the messages name it: `4194304 bytes (4 MiB)`. */
export function uploadLimitText(max: number): string {
  return `${max} bytes${max % MIB === 0 ? ` (${max / MIB} MiB)` : ''}`;
}

/**
 * Checks one key of `files` and returns it normalised (`./a//b.hcl` is `a/b.hcl`). Refused: anything
 * that could name a file outside the top module's directory (a `..` segment, an absolute path, a URL)
 * and what a path on the server could not mean the same as on the client (backslashes, NUL).
 */
export function checkUploadKey(key: string): string {
  const refuse = (why: string): never => {
    throw new ConvergeError('CNV_ERR_UPLOAD_PATH', `files[${JSON.stringify(key)}]: ${why}`, { key });
  };
  if (key.includes('\0')) refuse('the path contains a NUL character');
  if (key.includes('\\')) refuse('the path contains a backslash; use / between directories');
  if (key.startsWith('/')) refuse("the path is absolute; keys are relative to the top module's directory");
  if (URL_SCHEME.test(key)) refuse("the key is a URL; keys are paths relative to the top module's directory");
  const segments = key.split('/');
  if (segments.includes('..')) refuse("the path leaves the top module's directory (a .. segment)");
  const kept = segments.filter((segment) => segment !== '' && segment !== '.');
  if (kept.length === 0) refuse('the path names no file');
  return kept.join('/');
}

function tooLarge(max: number, what: string, total: number): ConvergeError {
  return new ConvergeError(
    'CNV_ERR_UPLOAD_TOO_LARGE',
    `${what} brings the uploaded modules to ${total} bytes, past the upload limit of ${uploadLimitText(max)}`,
    { what, limit: max, bytes: total },
  );
}

/**
 * The server's check of a request's uploaded files: every key (checkUploadKey), and the module text
 * and the files together, keys counted, within `max` bytes. A request without files is not an upload,
 * so its `content` keeps the bound of the request itself.
 */
export function checkUpload(content: string, files: Readonly<Record<string, string>>, max: number = MAX_UPLOAD_BYTES): void {
  const entries = Object.entries(files);
  if (entries.length === 0) return;
  let total = Buffer.byteLength(content, 'utf8');
  if (total > max) throw tooLarge(max, 'content', total);
  for (const [key, text] of entries) {
    checkUploadKey(key);
    total += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(text, 'utf8');
    if (total > max) throw tooLarge(max, `files[${JSON.stringify(key)}]`, total);
  }
}

/** The uploaded files by the URL the loader asks for: each key resolved against the top module's URL. */
export function uploadedSources(files: Readonly<Record<string, string>>, topUrl: URL): Map<string, string> {
  const byUrl = new Map<string, string>();
  for (const [key, text] of Object.entries(files)) byUrl.set(resolveInContext(checkUploadKey(key), topUrl).href, text);
  return byUrl;
}

/** What `--upload` sends for one top module. */
export interface Upload {
  /** The top module's text (LoadRequest.content). */
  readonly content: string;
  /** Every local module it includes, directly or not, by path relative to its directory. */
  readonly files: Readonly<Record<string, string>>;
  /** Bytes counted against the limit: the texts and the keys, in UTF-8. */
  readonly bytes: number;
}

interface Pending {
  readonly url: URL;
  readonly key: string;
  readonly calledAt: SourcePosition;
}

/** An error of an included file, placed at the module call (as the loader does), unless it has a place. */
function atCall(error: unknown, pos: SourcePosition): unknown {
  if (error instanceof ConvergeError) {
    return error.details?.['file'] === undefined ? positionedError(error.code, pos, error.message, error.details) : error;
  }
  return positionedError('CNV_ERR_LOAD_READ', pos, getErrorMessage(error));
}

/**
 * The files key of a local include, or an error at its module call when it cannot be sent: an absolute
 * source would be read from the server's own file system, and a file outside the top module's
 * directory has no key that the server would accept.
 */
function keyFor(source: string, url: URL, rootDir: string, pos: SourcePosition): string {
  if (path.isAbsolute(source) || /^file:/i.test(source)) {
    throw positionedError('CNV_ERR_UPLOAD_PATH', pos, `module ${JSON.stringify(source)} is an absolute path: --upload sends includes by their path relative to the top module, so they must be relative`, { source });
  }
  let file: string;
  try {
    file = fileURLToPath(url);
  } catch (error) {
    throw positionedError('CNV_ERR_LOAD_SOURCE', pos, `module ${JSON.stringify(source)} is not a local file path: ${getErrorMessage(error)}`);
  }
  const relative = path.relative(rootDir, file).split(path.sep).join('/');
  if (relative === '..' || relative.startsWith('../') || path.isAbsolute(relative)) {
    throw positionedError('CNV_ERR_UPLOAD_PATH', pos, `module ${JSON.stringify(source)} is outside ${rootDir}, the top module's directory: --upload sends only the modules under it`, { source, root: rootDir });
  }
  try {
    return checkUploadKey(relative);
  } catch (error) {
    throw atCall(error, pos);
  }
}

/**
 * Reads the top module at `location` (a local path, relative to `cwd`) and every local module that it
 * includes, following includes breadth-first as the loader does; each file is read once. Nothing is
 * checked beyond what finding the includes needs: the server reports the rest, as for any module.
 * @throws ConvergeError CNV_ERR_UPLOAD_TOO_LARGE past `max` bytes, naming the file that crossed it;
 *   CNV_ERR_UPLOAD_PATH for an include that cannot be sent; load and parse errors at file:line:col.
 */
export async function collectUpload(location: string, cwd: string, max: number = MAX_UPLOAD_BYTES): Promise<Upload> {
  const topUrl = resolveTopLocation(location, cwd);
  if (topUrl.protocol !== 'file:') {
    throw new ConvergeError('CNV_ERR_UPLOAD_PATH', `${location} is not a local file: --upload sends local modules only`, { location });
  }
  const rootDir = path.dirname(fileURLToPath(topUrl));
  const topName = displayName(topUrl, cwd);
  const content = await fetchModule(topUrl);
  let total = Buffer.byteLength(content, 'utf8');
  if (total > max) throw tooLarge(max, topName, total);
  const files = new Map<string, string>();
  const seen = new Set<string>([topUrl.href]);
  const queue: Pending[] = [];
  const visit = (text: string, url: URL, file: string): void => {
    for (const item of parseHcl(text, file).items) {
      // `module "<source>" "<name>"`; any other shape is a load error that the server reports.
      if (item.keys[0]?.name !== 'module' || item.keys.length !== 3) continue;
      const source = item.keys[1]!.name;
      let child: URL;
      try {
        child = resolveInContext(source, url);
      } catch (error) {
        throw atCall(error, item.pos);
      }
      if (child.protocol !== 'file:') continue;
      const key = keyFor(source, child, rootDir, item.pos);
      // The top module travels as `content`; a module that includes it gets it under its own key too,
      // so that the server sees the same include path (and the same cycle error) as a local run.
      if (child.href === topUrl.href && !files.has(key)) {
        total += Buffer.byteLength(key, 'utf8') + Buffer.byteLength(content, 'utf8');
        if (total > max) throw tooLarge(max, topName, total);
        files.set(key, content);
      }
      if (seen.has(child.href)) continue;
      seen.add(child.href);
      queue.push({ url: child, key, calledAt: item.pos });
    }
  };
  visit(content, topUrl, topName);
  for (let head = 0; head < queue.length; head++) {
    const pending = queue[head]!;
    const file = displayName(pending.url, cwd);
    let text: string;
    try {
      text = await fetchModule(pending.url);
    } catch (error) {
      throw atCall(error, pending.calledAt);
    }
    total += Buffer.byteLength(pending.key, 'utf8') + Buffer.byteLength(text, 'utf8');
    if (total > max) throw tooLarge(max, file, total);
    files.set(pending.key, text);
    visit(text, pending.url, file);
  }
  return { content, files: Object.fromEntries(files), bytes: total };
}
