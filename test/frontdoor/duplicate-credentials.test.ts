/**
 * More than one credential in one place is refused with CNV_ERR_AUTH_DUPLICATE on both transports;
 * before, node's parsers kept the first `authorization` value and dropped the rest unseen.
 */
import net from 'node:net';
import test from 'ava';
import { ConvergeClient } from '../../src/frontdoor/client.js';
import { mintToken } from '../../src/jwt.js';
import { headerProxy, hpackLiteral } from './h2-header-proxy.js';
import { request, serve } from './helpers.js';

const TOKEN = 'duplicate-credentials-token';

/** Raw HTTP/1.1, since node:http's client would also keep one header per name. */
function rawHttp(port: number, head: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(`${head}\r\nHost: x\r\nConnection: close\r\n\r\n`));
    let text = '';
    socket.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => resolve({ status: Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0), body: text.slice(text.indexOf('\r\n\r\n') + 4) }));
  });
}

test('HTTP - two Authorization headers, two jwt query parameters or two jwt cookies are refused', async (t) => {
  const server = await serve(t, { token: TOKEN });
  const good = await mintToken(TOKEN);
  const cases = [
    `GET /api/v1/ping HTTP/1.1\r\nAuthorization: Bearer ${good}\r\nAuthorization: Bearer garbage`,
    `GET /api/v1/ping HTTP/1.1\r\nAuthorization: Bearer ${good}\r\nauthorization: Bearer ${good}`,
    `GET /api/v1/ping?jwt=${good}&jwt=garbage HTTP/1.1`,
    `GET /api/v1/ping HTTP/1.1\r\nCookie: jwt=${good}; jwt=garbage`,
    `GET /api/v1/ping HTTP/1.1\r\nCookie: jwt=${good}\r\nCookie: jwt=garbage`,
  ];
  for (const head of cases) {
    const response = await rawHttp(server.port, head);
    t.is(response.status, 401, head);
    // The HTTP body is grpc-gateway's shape, which has no room for our code; the message names the case.
    t.regex(JSON.parse(response.body).error, /^credentials sent more than once \(2 (Authorization headers|jwt query parameters|jwt cookies)\)/, head);
  }
  // One of each still works, and so does a header beside a cookie (the header decides, as before).
  t.is((await rawHttp(server.port, `GET /api/v1/ping HTTP/1.1\r\nAuthorization: Bearer ${good}`)).status, 200);
  t.is((await rawHttp(server.port, `GET /api/v1/ping HTTP/1.1\r\nAuthorization: Bearer ${good}\r\nCookie: jwt=x`)).status, 200);
  t.is((await request(server, 'GET', `/api/v1/ping?jwt=${good}`)).status, 200);
});

test('gRPC - a second authorization header is refused, whichever value comes first', async (t) => {
  const server = await serve(t, { token: TOKEN });
  let second: string | undefined;
  const port = await headerProxy(t, server.port, () => (second === undefined ? undefined : hpackLiteral('authorization', second)));
  const through = new ConvergeClient({ address: `127.0.0.1:${port}`, token: TOKEN, ownConnection: true });
  t.teardown(() => through.close());

  await through.ping(); // the proxy alone changes nothing
  second = 'Bearer garbage';
  await t.throwsAsync(through.ping(), { code: 'CNV_ERR_AUTH_DUPLICATE', message: /more than once \(2 authorization metadata\)/ });
  second = `Bearer ${await mintToken(TOKEN)}`;
  await t.throwsAsync(through.ping(), { code: 'CNV_ERR_AUTH_DUPLICATE' });
  await t.throwsAsync(through.getModule('x.hcl'), { code: 'CNV_ERR_AUTH_DUPLICATE' });
  second = undefined;
  await through.ping();
});
