import test from 'ava';
import { ConvergeClient } from '../../src/frontdoor/client.js';
import { mintToken } from '../../src/jwt.js';
import { client, handJwt, nowS, request, serve } from './helpers.js';

const TOKEN = 'auth-matrix-token';

async function stillServing(t: import('ava').ExecutionContext, port: number): Promise<void> {
  const ok = await request({ port }, 'GET', '/api/v1/ping', { headers: { Authorization: `BEARER ${await mintToken(TOKEN)}` } });
  t.is(ok.status, 200, 'the server still answers after the rejection');
}

const badTokens: Array<[string, () => string]> = [
  ['a wrong key', () => handJwt('wrong', { iat: nowS(), exp: nowS() + 30 })],
  ['alg none', () => handJwt(TOKEN, { iat: nowS(), exp: nowS() + 30 }, { alg: 'none' })],
  ['HS256', () => handJwt(TOKEN, { iat: nowS(), exp: nowS() + 30 }, { alg: 'HS256', typ: 'JWT' })],
  ['an expired token', () => handJwt(TOKEN, { iat: nowS() - 100, exp: nowS() - 70 })],
  ['a lifetime over 30 s', () => handJwt(TOKEN, { iat: nowS(), exp: nowS() + 60 })],
  ['a token from the future', () => handJwt(TOKEN, { iat: nowS() + 120, exp: nowS() + 150 })],
  ['a malformed token', () => 'eyJhbGciOiJIUzUxMiJ9.broken'],
];

test('HTTP - no credentials at all is 401, not a crash', async (t) => {
  const server = await serve(t, { token: TOKEN });
  const response = await request(server, 'GET', '/api/v1/ping');
  t.is(response.status, 401);
  t.is((JSON.parse(response.body) as { error: string }).error, 'authorization not provided');
  await stillServing(t, server.port);
});

for (const [name, make] of badTokens) {
  test(`HTTP - rejects ${name} in the header, query and cookie`, async (t) => {
    const server = await serve(t, { token: TOKEN });
    const jwt = make();
    const tries = [
      await request(server, 'GET', '/api/v1/ping', { headers: { Authorization: `Bearer ${jwt}` } }),
      await request(server, 'GET', `/api/v1/ping?jwt=${encodeURIComponent(jwt)}`),
      await request(server, 'GET', '/api/v1/ping', { headers: { Cookie: `jwt=${jwt}` } }),
    ];
    for (const response of tries) {
      t.is(response.status, 401);
      t.false(response.body.includes(TOKEN));
    }
    await stillServing(t, server.port);
  });

  test(`gRPC - rejects ${name} with UNAUTHENTICATED`, async (t) => {
    const server = await serve(t, { token: TOKEN });
    const jwt = make();
    // A client with no token of its own, sending the bad JWT by hand.
    const { default: grpc } = await import('@grpc/grpc-js');
    const { InfoService } = await import('../../src/frontdoor/wire/pb-services.js');
    const info = new grpc.Client(`127.0.0.1:${server.port}`, grpc.credentials.createInsecure());
    t.teardown(() => info.close());
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `BEARER ${jwt}`);
    const ping = InfoService.Ping;
    const code = await new Promise<number>((resolve) => {
      info.makeUnaryRequest(ping.path, ping.requestSerialize, ping.responseDeserialize, {}, metadata, (e) => resolve(e?.code ?? 0));
    });
    t.is(code, grpc.status.UNAUTHENTICATED);
    await stillServing(t, server.port);
  });
}

test('HTTP - a valid token is accepted in the header (any case), the query and the cookie', async (t) => {
  const server = await serve(t, { token: TOKEN });
  for (const scheme of ['BEARER', 'Bearer', 'bearer']) {
    const response = await request(server, 'GET', '/api/v1/ping', { headers: { Authorization: `${scheme} ${await mintToken(TOKEN)}` } });
    t.is(response.status, 200, scheme);
    t.is(response.body, '{}');
  }
  t.is((await request(server, 'GET', `/api/v1/ping?jwt=${await mintToken(TOKEN)}`)).status, 200);
  t.is((await request(server, 'GET', '/api/v1/ping', { headers: { Cookie: `a=b; jwt=${await mintToken(TOKEN)}` } })).status, 200);
});

test('gRPC - client errors carry our codes: missing, invalid, accepted', async (t) => {
  const server = await serve(t, { token: TOKEN });
  await t.throwsAsync(client(t, server, { token: null }).ping(), { code: 'CNV_ERR_AUTH_MISSING' });
  await t.throwsAsync(client(t, server, { token: 'wrong' }).ping(), { code: 'CNV_ERR_AUTH_INVALID', message: 'signature is invalid' });
  await t.notThrowsAsync(client(t, server).ping());
});

test('--no-token - everything is accepted, with or without a token', async (t) => {
  const server = await serve(t, { noToken: true });
  t.is(server.token, null);
  t.is((await request(server, 'GET', '/api/v1/ping')).status, 200);
  await t.notThrowsAsync(client(t, server).ping());
});

test('a generated token is used when none is given', async (t) => {
  const lines: string[] = [];
  const server = await serve(t, { logger: { log: (_l, msg, fields) => lines.push(`${msg} ${JSON.stringify(fields)}`) } });
  t.truthy(server.token);
  t.is(lines.filter((line) => line.includes(server.token!)).length, 1, 'the generated token is printed exactly once');
  await t.notThrowsAsync(new ConvergeClient({ address: `127.0.0.1:${server.port}`, token: server.token }).ping());
});

test('HTTP - unknown routes are 404 and wrong verbs 405, without auth', async (t) => {
  const server = await serve(t, { token: TOKEN });
  const missing = await request(server, 'GET', '/nope');
  t.is(missing.status, 404);
  t.is(JSON.parse(missing.body).message, 'no route for GET /nope');
  const wrongVerb = await request(server, 'GET', '/api/v1/machine/plan');
  t.is(wrongVerb.status, 405);
  t.is(wrongVerb.headers.allow, 'POST');
  const body = JSON.parse(wrongVerb.body) as { error: string; code: number; message: string };
  t.is(body.error, 'GET is not allowed on /api/v1/machine/plan; use POST');
  t.is(body.code, 12, 'UNIMPLEMENTED, as grpc-gateway answered');
});
