/**
 * Module serving from `--root`. Nothing outside the root can be read: `..` segments (also when
 * percent-encoded), absolute paths, backslashes and NUL bytes are refused before anything is looked
 * up, and symlinks are followed only while they stay inside the root (root-walk.ts).
 */
import { realpath, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { ConvergeError } from '../errors.js';
import { descriptorWalkAvailable, MAX_SYMLINK_HOPS, openBeneath, WalkRefused, type WalkRefusal } from './root-walk.js';

/** Largest module served; modules are source text, so anything bigger is a mistake. */
export const MAX_MODULE_BYTES = 8 * 1024 * 1024;

function refuse(message: string, location: string): ConvergeError {
  return new ConvergeError('CNV_ERR_MODULE_PATH', message, { location });
}

/** Checks the shape of a requested location and returns its safe relative form. */
export function checkLocation(location: string): string {
  if (location === '') throw refuse('module location is empty', location);
  if (location.includes('\0')) throw refuse('module location contains a NUL byte', location);
  if (location.includes('\\')) throw refuse('module location may not contain backslashes', location);
  // A location is decoded once by the transport. Anything still encoded would be a second layer
  // (`%252e%252e`), which only an attacker sends.
  if (/%(2e|2f|5c|00)/i.test(location)) throw refuse('module location may not be encoded twice', location);
  if (path.posix.isAbsolute(location)) throw refuse('cannot use absolute paths', location);
  const segments = location.split('/');
  if (segments.includes('..')) throw refuse('cannot use relative paths', location);
  return segments.filter((segment) => segment !== '' && segment !== '.').join('/');
}

function refusal(location: string, walk: WalkRefusal): ConvergeError {
  switch (walk.kind) {
    case 'missing':
      return new ConvergeError('CNV_ERR_MODULE_NOT_FOUND', `module not found: ${location}`, { location });
    case 'not-a-file':
      if (walk.type === 'a directory') {
        return new ConvergeError('CNV_ERR_MODULE_NOT_FOUND', `not a module file: ${location}`, { location });
      }
      return refuse(`module is ${walk.type}, not a regular file: only regular files are served`, location);
    case 'outside':
      return refuse('module path leaves the served root', location);
    case 'symlink-loop':
      return refuse(`more than ${MAX_SYMLINK_HOPS} symlinks on the module path`, location);
  }
}

/** Reads at most `max` + 1 bytes, so a file that grew after fstat() is still caught as too large. */
async function readBounded(handle: FileHandle, max: number, location: string): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, max + 1 - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, null);
    if (bytesRead === 0) break;
    chunks.push(chunk.subarray(0, bytesRead));
    total += bytesRead;
    if (total > max) throw refuse(`module is larger than ${max} bytes`, location);
  }
  return Buffer.concat(chunks, total).toString('utf8');
}

export class ModuleRoot {
  readonly #root: string;
  #realRoot: Promise<string> | undefined;
  readonly #available = descriptorWalkAvailable();

  constructor(root: string) {
    this.#root = path.resolve(root);
  }

  get root(): string {
    return this.#root;
  }

  /**
   * Reads one module as text. The path is walked one descriptor at a time (root-walk.ts), so a
   * directory swapped for a symlink mid-read cannot lead outside the root, and only a regular file is
   * ever opened for reading: a FIFO or a device is refused at once instead of blocking a thread.
   */
  async read(location: string): Promise<string> {
    const relative = checkLocation(location);
    if (!this.#available) {
      throw new ConvergeError('CNV_ERR_MODULE_SERVING_DISABLED', 'module serving needs /proc/self/fd (Linux); it is off on this system');
    }
    this.#realRoot ??= realpath(this.#root);
    const real = await this.#realRoot.catch(() => {
      this.#realRoot = undefined;
      throw new ConvergeError('CNV_ERR_MODULE_NOT_FOUND', `module root is missing: ${this.#root}`, { location: relative });
    });
    let opened: Awaited<ReturnType<typeof openBeneath>>;
    try {
      opened = await openBeneath({ dir: this.#root, real }, relative === '' ? [] : relative.split('/'));
    } catch (error) {
      if (error instanceof WalkRefused) throw refusal(relative, error.refusal);
      throw error;
    }
    try {
      if (opened.stats.size > MAX_MODULE_BYTES) throw refuse(`module is larger than ${MAX_MODULE_BYTES} bytes`, relative);
      return await readBounded(opened.handle, MAX_MODULE_BYTES, relative);
    } finally {
      await opened.handle.close();
    }
  }
}

/** Module serving off (no `--root`): every request gets the same clear refusal. */
export function moduleServingDisabled(): ConvergeError {
  return new ConvergeError('CNV_ERR_MODULE_SERVING_DISABLED', 'module download not enabled (start the server with --root DIR)');
}
