import test from 'ava';
import { mintToken, verifyToken, TOKEN_LEEWAY_S } from '../../src/jwt.js';
import { handJwt, nowS } from './helpers.js';

const SECRET = 'a-test-secret';

test('mintToken() - verifies, and carries iat and a 30 s exp', async (t) => {
  const jwt = await mintToken(SECRET);
  await t.notThrowsAsync(verifyToken(SECRET, jwt));
  const claims = JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()) as { iat: number; exp: number };
  t.is(claims.exp - claims.iat, 30);
});

test('verifyToken() - accepts a token made the way the original Go client made it', async (t) => {
  const iat = nowS();
  await t.notThrowsAsync(verifyToken(SECRET, handJwt(SECRET, { iat, exp: iat + 30 })));
});

const rejections: Array<[string, () => string, string]> = [
  ['a wrong key', () => handJwt('other', { iat: nowS(), exp: nowS() + 30 }), 'CNV_ERR_AUTH_INVALID'],
  ['alg none', () => handJwt(SECRET, { iat: nowS(), exp: nowS() + 30 }, { alg: 'none', typ: 'JWT' }), 'CNV_ERR_AUTH_INVALID'],
  ['HS256', () => handJwt(SECRET, { iat: nowS(), exp: nowS() + 30 }, { alg: 'HS256', typ: 'JWT' }), 'CNV_ERR_AUTH_INVALID'],
  ['an expired token', () => handJwt(SECRET, { iat: nowS() - 60, exp: nowS() - 30 }), 'CNV_ERR_AUTH_EXPIRED'],
  ['a lifetime over 30 s', () => handJwt(SECRET, { iat: nowS(), exp: nowS() + 60 }), 'CNV_ERR_AUTH_INVALID'],
  ['a token from beyond the leeway', () => handJwt(SECRET, { iat: nowS() + 60, exp: nowS() + 90 }), 'CNV_ERR_AUTH_INVALID'],
  ['no iat', () => handJwt(SECRET, { exp: nowS() + 30 }), 'CNV_ERR_AUTH_INVALID'],
  ['no exp', () => handJwt(SECRET, { iat: nowS() }), 'CNV_ERR_AUTH_INVALID'],
  ['a malformed token', () => 'not.a-jwt', 'CNV_ERR_AUTH_INVALID'],
  ['garbage', () => '%%%', 'CNV_ERR_AUTH_INVALID'],
];

for (const [name, make, code] of rejections) {
  test(`verifyToken() - rejects ${name}`, async (t) => {
    await t.throwsAsync(verifyToken(SECRET, make()), { code });
  });
}

test('verifyToken() - tolerates a client clock slightly ahead', async (t) => {
  const iat = nowS() + TOKEN_LEEWAY_S - 2;
  await t.notThrowsAsync(verifyToken(SECRET, handJwt(SECRET, { iat, exp: iat + 30 })));
});

test('verifyToken() - says what the lifetime was, Go style', async (t) => {
  const iat = nowS();
  const error = await t.throwsAsync(verifyToken(SECRET, handJwt(SECRET, { iat, exp: iat + 60 })));
  t.is(error?.message, 'lifetime too large. Expected at most 30s, was 1m0s');
});

test('verifyToken() - error messages never contain the token', async (t) => {
  const jwt = handJwt('other', { iat: nowS(), exp: nowS() + 30 });
  const error = await t.throwsAsync(verifyToken(SECRET, jwt));
  t.false(error?.message.includes(jwt.split('.')[2]!));
});
