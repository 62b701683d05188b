/**
 * Request authentication for both transports. A server has a shared token (the HS512 key), named
 * client keys (client-keys.ts, chosen by the JWT's `kid`), both, or runs with `--no-token`. Every failure is a ConvergeError of class `unauthenticated`; nothing here throws
 * anything else, so no request can crash a handler (the original's REST middleware panicked when no
 * credentials were sent at all).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Metadata } from '@grpc/grpc-js';
import { ConvergeError } from '../errors.js';
import { tokenKeyId, verifyToken } from '../jwt.js';
import type { Logger } from './logger.js';

/**
 * The server's token policy, as the original's: `--no-token` runs open (logged loudly), a given token is
 * used as is, with named keys (--rpc-keys) there is none unless given, and otherwise a random one is generated and logged once, so that a first-time
 * operator can connect. This is the only place a token is ever logged.
 */
export function resolveToken(
  options: { readonly token?: string; readonly noToken?: boolean; readonly clientKeysFile?: string },
  logger: Logger,
): string | null {
  if (options.noToken === true && options.clientKeysFile !== undefined) {
    throw new ConvergeError('CNV_ERR_AUTH_KEYS_FILE', 'named client keys (--rpc-keys) and --no-token contradict each other; give one');
  }
  if (options.noToken === true) {
    logger.log('WARN', 'no token set, server is unauthenticated. This should *only* be used for development.', {});
    return null;
  }
  if (options.token !== undefined && options.token !== '') return options.token;
  // Named keys only: a generated shared token would be one more key that nobody is named by.
  if (options.clientKeysFile !== undefined) return null;
  const token = randomUUID();
  logger.log('WARN', 'setting session-local token', { token });
  return token;
}

/** `Bearer <jwt>` in any letter case, as clients vary (the original accepted only `BEARER`). */
const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

export function parseBearer(value: string): string | undefined {
  return BEARER.exec(value)?.[1];
}

/** Every value of cookie `name`, across all Cookie headers. */
function cookieValues(headers: readonly string[], name: string): string[] {
  const found: string[] = [];
  for (const part of headers.flatMap((header) => header.split(';'))) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      found.push(decodeURIComponent(raw));
    } catch {
      found.push(raw);
    }
  }
  return found;
}

function duplicate(what: string, count: number): ConvergeError {
  return new ConvergeError('CNV_ERR_AUTH_DUPLICATE', `credentials sent more than once (${count} ${what}); send exactly one`);
}

/** Who a request is when the server runs with --no-token, and when it signed with the shared --rpc-token. */
export const ANONYMOUS = 'anonymous';
export const SHARED_KEY_NAME = 'token';

/** A `kid` fit to quote back in a refusal: the caller chose it, so only a plain name is echoed. */
function quotedKeyId(kid: string): string {
  return /^[A-Za-z0-9._@-]{1,64}$/.test(kid) ? ` "${kid}"` : '';
}

export class Authenticator {
  readonly #secret: string | null;
  /** Named client keys (--rpc-keys); null when the server has none. Replaced whole on reload. */
  #keys: ReadonlyMap<string, string> | null;

  /**
   * `secret` is the shared --rpc-token key; `keys` the named ones. Both null means no
   * authentication (`--no-token`).
   */
  constructor(secret: string | null, keys: ReadonlyMap<string, string> | null = null) {
    this.#secret = secret;
    this.#keys = keys;
  }

  get enabled(): boolean {
    return this.#secret !== null || this.#keys !== null;
  }

  /** The names of the named keys, in file order (for the start-up log; never the keys). */
  get keyNames(): readonly string[] {
    return this.#keys === null ? [] : [...this.#keys.keys()];
  }

  /**
   * Swaps in a new set of named keys (SIGHUP). A request being checked keeps the set it started
   * with; every later one sees the new set, so a removed key is refused from then on.
   */
  replaceKeys(keys: ReadonlyMap<string, string>): void {
    if (this.#keys === null) throw new TypeError('Expected a server started with named keys to reload them');
    this.#keys = keys;
  }

  /**
   * Resolves to the caller's name for the audit trail: the key's name for a named key, "token" for
   * the shared --rpc-token key. The kid only chooses the key; the signature check (constant-time,
   * in jwt.ts) and every claim rule are the same for both.
   */
  async #check(candidate: string | undefined, where: string): Promise<string> {
    if (!this.enabled) return ANONYMOUS;
    if (candidate === undefined || candidate === '') {
      throw new ConvergeError('CNV_ERR_AUTH_MISSING', 'authorization not provided');
    }
    const jwt = parseBearer(candidate) ?? (where === 'header' ? undefined : candidate);
    if (jwt === undefined) {
      throw new ConvergeError('CNV_ERR_AUTH_INVALID', 'authorization must be "Bearer <jwt>"');
    }
    const kid = tokenKeyId(jwt);
    if (kid === undefined) {
      if (this.#secret === null) {
        throw new ConvergeError(
          'CNV_ERR_AUTH_UNKNOWN_KEY',
          'token names no key (kid), and this server accepts only named keys: sign with your key and pass --rpc-key-name',
        );
      }
      await verifyToken(this.#secret, jwt);
      return SHARED_KEY_NAME;
    }
    const key = this.#keys?.get(kid);
    if (key === undefined) {
      throw new ConvergeError('CNV_ERR_AUTH_UNKNOWN_KEY', `token names key${quotedKeyId(kid)}, which this server does not have`);
    }
    await verifyToken(key, jwt);
    return kid;
  }

  /** gRPC: metadata `authorization: BEARER <jwt>`, exactly once. */
  async checkGrpc(metadata: Metadata): Promise<string> {
    if (!this.enabled) return ANONYMOUS;
    const values = metadata.get('authorization');
    if (values.length > 1) throw duplicate('authorization metadata', values.length);
    const value = values[0];
    return this.#check(typeof value === 'string' ? value : value?.toString('utf8'), 'header');
  }

  /**
   * HTTP: the Authorization header, else the `jwt` query parameter, else the `jwt` cookie. The first
   * place that holds something decides: a bad header is not rescued by a good cookie. A place that
   * holds more than one credential is refused: which one counts would otherwise depend on the parser.
   */
  async checkHttp(request: IncomingMessage, url: URL): Promise<string> {
    if (!this.enabled) return ANONYMOUS;
    // node:http keeps only the first Authorization header in `headers`; headersDistinct has them all.
    const headers = request.headersDistinct.authorization ?? [];
    if (headers.length > 1) throw duplicate('Authorization headers', headers.length);
    const header = headers[0];
    if (header !== undefined && header !== '') return this.#check(header, 'header');
    const queries = url.searchParams.getAll('jwt');
    if (queries.length > 1) throw duplicate('jwt query parameters', queries.length);
    const query = queries[0];
    if (query !== undefined && query !== '') return this.#check(query, 'query');
    const cookies = cookieValues(request.headersDistinct.cookie ?? [], 'jwt');
    if (cookies.length > 1) throw duplicate('jwt cookies', cookies.length);
    return this.#check(cookies[0], 'cookie');
  }
}
