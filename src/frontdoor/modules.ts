/**
 * Module serving from `--root`. Nothing outside the root can be read: `..` segments (also when
 * percent-encoded), absolute paths, backslashes, NUL bytes and symlinks whose target leaves the root
 * are all refused before any file is opened.
 */
import { open, realpath } from 'node:fs/promises';
import path from 'node:path';
import { ConvergeError } from '../errors.js';

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

function isInside(root: string, candidate: string): boolean {
  return candidate === root || candidate.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

export class ModuleRoot {
  readonly #root: string;
  #realRoot: Promise<string> | undefined;

  constructor(root: string) {
    this.#root = path.resolve(root);
  }

  get root(): string {
    return this.#root;
  }

  /** Reads one module as text. */
  async read(location: string): Promise<string> {
    const relative = checkLocation(location);
    const lexical = path.resolve(this.#root, relative);
    if (!isInside(this.#root, lexical)) throw refuse('cannot use relative paths', location);
    this.#realRoot ??= realpath(this.#root);
    const realRoot = await this.#realRoot;
    let real: string;
    try {
      real = await realpath(lexical);
    } catch {
      throw new ConvergeError('CNV_ERR_MODULE_NOT_FOUND', `module not found: ${relative}`, { location: relative });
    }
    if (!isInside(realRoot, real)) throw refuse('module path leaves the served root', location);
    // Open the resolved path, then check the opened file: a swap after realpath() still yields a file
    // inside the root or an error, never a directory listing or a device.
    const handle = await open(real, 'r').catch(() => {
      throw new ConvergeError('CNV_ERR_MODULE_NOT_FOUND', `module not found: ${relative}`, { location: relative });
    });
    try {
      const stats = await handle.stat();
      if (!stats.isFile()) {
        throw new ConvergeError('CNV_ERR_MODULE_NOT_FOUND', `not a module file: ${relative}`, { location: relative });
      }
      if (stats.size > MAX_MODULE_BYTES) {
        throw new ConvergeError('CNV_ERR_MODULE_PATH', `module is larger than ${MAX_MODULE_BYTES} bytes`, { location: relative });
      }
      return await handle.readFile('utf8');
    } finally {
      await handle.close();
    }
  }
}

/** Module serving off (no `--root`): every request gets the same clear refusal. */
export function moduleServingDisabled(): ConvergeError {
  return new ConvergeError('CNV_ERR_MODULE_SERVING_DISABLED', 'module download not enabled (start the server with --root DIR)');
}
