/**
 * Named client keys (`--rpc-keys FILE`): one `name key` pair a line, `#` comments and blank lines
 * allowed. Each client signs its JWTs with its own HS512 key and names it in the `kid` header, so the
 * audit records who ran what, and deleting a line revokes one client while the others keep working.
 */
import { readFileSync } from 'node:fs';
import { ConvergeError } from '../errors.js';

/**
 * Shortest key accepted, in bytes. The shared --rpc-token never had a minimum (the original's had
 * none, and `--local` makes random ones); named keys are new, so they start with one: 16 bytes is
 * what `openssl rand -hex 8` prints, and below it a key is guessable offline from one captured JWT.
 */
export const MIN_CLIENT_KEY_BYTES = 16;

/** Names the server gives callers itself; a key named so would make the audit ambiguous. */
const RESERVED_NAMES = new Set(['token', 'anonymous', 'schedule']);
const NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/;

function bad(file: string, line: number, what: string): ConvergeError {
  return new ConvergeError('CNV_ERR_AUTH_KEYS_FILE', `${file}:${line}: ${what}`, { file, line });
}

/**
 * Parses the text of a keys file into name -> key, in file order. `sharedToken` is the server's
 * --rpc-token, if any: a named key equal to it would let the shared token sign as that name.
 * Messages name the line but never quote a key.
 */
export function parseClientKeys(text: string, file: string, sharedToken: string | null = null): ReadonlyMap<string, string> {
  const keys = new Map<string, string>();
  const lineOfKey = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (const [index, raw] of lines.entries()) {
    const line = index + 1;
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) continue;
    const fields = content.split(/[ \t]+/);
    if (fields.length !== 2) {
      throw bad(file, line, `expected "name key", got ${fields.length} field${fields.length === 1 ? '' : 's'}`);
    }
    const [name, key] = fields as [string, string];
    if (!NAME.test(name)) {
      throw bad(file, line, `key name must be 1-64 of A-Z a-z 0-9 . _ @ - (starting with a letter or digit)`);
    }
    if (RESERVED_NAMES.has(name)) throw bad(file, line, `key name "${name}" is reserved (the server uses it in the audit)`);
    if (Buffer.byteLength(key, 'utf8') < MIN_CLIENT_KEY_BYTES) {
      throw bad(file, line, `key for "${name}" is shorter than ${MIN_CLIENT_KEY_BYTES} bytes`);
    }
    if (keys.has(name)) throw bad(file, line, `key name "${name}" is already used on line ${lineOfKey.get(keys.get(name)!)}`);
    const earlier = lineOfKey.get(key);
    if (earlier !== undefined) throw bad(file, line, `key for "${name}" is the same as the key on line ${earlier}; give each client its own`);
    if (sharedToken !== null && key === sharedToken) throw bad(file, line, `key for "${name}" is the same as --rpc-token`);
    keys.set(name, key);
    lineOfKey.set(key, line);
  }
  return keys;
}

/** Reads and parses a keys file (synchronously: at start-up and on SIGHUP only). */
export function loadClientKeys(file: string, sharedToken: string | null = null): ReadonlyMap<string, string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConvergeError('CNV_ERR_AUTH_KEYS_FILE', `${file}: cannot read the keys file (${reason})`, { file }, { cause: error });
  }
  return parseClientKeys(text, file, sharedToken);
}
