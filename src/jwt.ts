/**
 * The JWT scheme shared by Converge clients and servers: the RPC token is the HS512 key, and a client
 * mints a fresh 30-second token for every call. Verification follows the original's rules with two
 * deliberate changes: a few seconds of clock-skew leeway (the original had none, and its users saw
 * "Token used before issued"), and a lifetime of *at most* 30 s instead of exactly 30 s.
 *
 * HS512 is one HMAC, so it is done here with node:crypto, synchronously. Through WebCrypto (jose) every
 * call imported the key and hopped through a thread-pool job; with 200 clients connecting at once that
 * was a tenth of the front door's event loop.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConvergeError } from './errors.js';
import { formatGoDuration } from './go/duration.js';

/** Lifetime the client gives each token, and the most the server accepts. */
export const TOKEN_LIFETIME_S = 30;
/** Clock skew tolerated between client and server, in both directions. */
export const TOKEN_LEEWAY_S = 5;

const ALGORITHM = 'HS512';
const HEADER = Buffer.from(JSON.stringify({ alg: ALGORITHM, typ: 'JWT' })).toString('base64url');
const BASE64URL = /^[A-Za-z0-9_-]*$/;

function sign(secret: string, signingInput: string): Buffer {
  return createHmac('sha512', secret).update(signingInput).digest();
}

/**
 * Signs a token for one call: `iat` = now, `exp` = now + 30 s. `keyId` names the key in the `kid`
 * header, for servers with named client keys (--rpc-keys); without it the token is the shared key's.
 */
export async function mintToken(secret: string, nowMs: number = Date.now(), keyId?: string): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  const payload = Buffer.from(JSON.stringify({ iat, exp: iat + TOKEN_LIFETIME_S })).toString('base64url');
  const header = keyId === undefined ? HEADER : Buffer.from(JSON.stringify({ alg: ALGORITHM, typ: 'JWT', kid: keyId })).toString('base64url');
  const signingInput = `${header}.${payload}`;
  return `${signingInput}.${sign(secret, signingInput).toString('base64url')}`;
}

export interface VerifyOptions {
  /** The time to check against. @default Date.now() */
  readonly nowMs?: number;
}

function malformed(): ConvergeError {
  return new ConvergeError('CNV_ERR_AUTH_INVALID', 'token is malformed');
}

function invalid(message: string): ConvergeError {
  return new ConvergeError('CNV_ERR_AUTH_INVALID', message);
}

/** A JSON object from one base64url part of the token, or undefined. */
function decodePart(part: string): Record<string, unknown> | undefined {
  if (part === '' || !BASE64URL.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function checkHeader(part: string): Record<string, unknown> {
  const header = decodePart(part);
  if (header === undefined) throw malformed();
  if (header['alg'] !== ALGORITHM) throw invalid(`unexpected signing method: ${String(header['alg'])}`);
  // Extensions the verifier must understand (RFC 7515 §4.1.11): none are, so any is refused.
  if (header['crit'] !== undefined) throw malformed();
  return header;
}

/**
 * The `kid` header of a token, unverified: it only says which key to check the signature with.
 * Undefined when the token names no key; a `kid` that is not a non-empty string is malformed.
 */
export function tokenKeyId(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) throw malformed();
  const kid = checkHeader(parts[0] as string)['kid'];
  if (kid === undefined) return undefined;
  if (typeof kid !== 'string' || kid === '') throw malformed();
  return kid;
}

/** Constant-time: the comparison takes as long whichever byte differs. */
function checkSignature(secret: string, signingInput: string, part: string): void {
  if (!BASE64URL.test(part)) throw malformed();
  const given = Buffer.from(part, 'base64url');
  const expected = sign(secret, signingInput);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('signature is invalid');
}

function checkClaims(payload: Record<string, unknown>, nowS: number): void {
  for (const claim of ['iat', 'exp'] as const) {
    if (payload[claim] === undefined) throw invalid(`token claim ${claim} is invalid: missing`);
    if (typeof payload[claim] !== 'number' || !Number.isFinite(payload[claim])) {
      throw invalid('token must carry numeric iat and exp claims');
    }
  }
  const iat = payload['iat'] as number;
  const exp = payload['exp'] as number;
  const nbf = payload['nbf'];
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf > nowS + TOKEN_LEEWAY_S)) {
    throw invalid('token claim nbf is invalid: not yet valid');
  }
  if (exp <= nowS - TOKEN_LEEWAY_S) throw new ConvergeError('CNV_ERR_AUTH_EXPIRED', 'token is expired');
  if (iat > nowS + TOKEN_LEEWAY_S) throw invalid('token used before issued');
  const lifetime = exp - iat;
  if (lifetime > TOKEN_LIFETIME_S || lifetime <= 0) {
    throw invalid(`lifetime too large. Expected at most ${formatGoDuration(TOKEN_LIFETIME_S * 1e9)}, was ${formatGoDuration(lifetime * 1e9)}`);
  }
}

/**
 * Checks a token against the secret. Resolves when it is acceptable; otherwise rejects with a
 * ConvergeError (CNV_ERR_AUTH_INVALID or CNV_ERR_AUTH_EXPIRED) whose message says what was wrong. The
 * message never contains the token. The signature is checked before any claim is trusted.
 */
export async function verifyToken(secret: string, token: string, options: VerifyOptions = {}): Promise<void> {
  const nowS = Math.floor((options.nowMs ?? Date.now()) / 1000);
  const parts = token.split('.');
  if (parts.length !== 3) throw malformed();
  const [header, payload, signature] = parts as [string, string, string];
  checkHeader(header);
  checkSignature(secret, `${header}.${payload}`, signature);
  const claims = decodePart(payload);
  if (claims === undefined) throw malformed();
  checkClaims(claims, nowS);
}
