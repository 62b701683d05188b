/**
 * The JWT scheme shared by Converge clients and servers: the RPC token is the HS512 key, and a client
 * mints a fresh 30-second token for every call. Verification follows the original's rules with two
 * deliberate changes: a few seconds of clock-skew leeway (the original had none, and its users saw
 * "Token used before issued"), and a lifetime of *at most* 30 s instead of exactly 30 s.
 */
import { SignJWT, decodeProtectedHeader, errors, jwtVerify } from 'jose';
import { ConvergeError } from './errors.js';
import { formatGoDuration } from './go/duration.js';

/** Lifetime the client gives each token, and the most the server accepts. */
export const TOKEN_LIFETIME_S = 30;
/** Clock skew tolerated between client and server, in both directions. */
export const TOKEN_LEEWAY_S = 5;

const ALGORITHM = 'HS512';
const encoder = new TextEncoder();

/** Signs a token for one call: `iat` = now, `exp` = now + 30 s. */
export async function mintToken(secret: string, nowMs: number = Date.now()): Promise<string> {
  const iat = Math.floor(nowMs / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: ALGORITHM, typ: 'JWT' })
    .setIssuedAt(iat)
    .setExpirationTime(iat + TOKEN_LIFETIME_S)
    .sign(encoder.encode(secret));
}

export interface VerifyOptions {
  /** The time to check against. @default Date.now() */
  readonly nowMs?: number;
}

/**
 * Checks a token against the secret. Resolves when it is acceptable; otherwise rejects with a
 * ConvergeError (CNV_ERR_AUTH_INVALID or CNV_ERR_AUTH_EXPIRED) whose message says what was wrong. The
 * message never contains the token.
 */
export async function verifyToken(secret: string, token: string, options: VerifyOptions = {}): Promise<void> {
  const nowS = Math.floor((options.nowMs ?? Date.now()) / 1000);
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    throw new ConvergeError('CNV_ERR_AUTH_INVALID', 'token is malformed');
  }
  if (alg !== ALGORITHM) {
    throw new ConvergeError('CNV_ERR_AUTH_INVALID', `unexpected signing method: ${String(alg)}`);
  }
  let payload: Record<string, unknown>;
  try {
    // jose checks the signature with WebCrypto's HMAC verify, which compares in constant time.
    ({ payload } = await jwtVerify(token, encoder.encode(secret), {
      algorithms: [ALGORITHM],
      requiredClaims: ['iat', 'exp'],
      clockTolerance: TOKEN_LEEWAY_S,
      currentDate: new Date(nowS * 1000),
    }));
  } catch (error) {
    throw translateJoseError(error);
  }
  const iat = payload['iat'];
  const exp = payload['exp'];
  if (typeof iat !== 'number' || typeof exp !== 'number') {
    throw new ConvergeError('CNV_ERR_AUTH_INVALID', 'token must carry numeric iat and exp claims');
  }
  if (iat > nowS + TOKEN_LEEWAY_S) {
    throw new ConvergeError('CNV_ERR_AUTH_INVALID', 'token used before issued');
  }
  const lifetime = exp - iat;
  if (lifetime > TOKEN_LIFETIME_S || lifetime <= 0) {
    throw new ConvergeError(
      'CNV_ERR_AUTH_INVALID',
      `lifetime too large. Expected at most ${formatGoDuration(TOKEN_LIFETIME_S * 1e9)}, was ${formatGoDuration(lifetime * 1e9)}`,
    );
  }
}

function translateJoseError(error: unknown): ConvergeError {
  if (error instanceof errors.JWTExpired) return new ConvergeError('CNV_ERR_AUTH_EXPIRED', 'token is expired');
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new ConvergeError('CNV_ERR_AUTH_INVALID', 'signature is invalid');
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new ConvergeError('CNV_ERR_AUTH_INVALID', `token claim ${error.claim} is invalid: ${error.reason}`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new ConvergeError('CNV_ERR_AUTH_INVALID', 'unexpected signing method');
  }
  return new ConvergeError('CNV_ERR_AUTH_INVALID', 'token is malformed');
}
