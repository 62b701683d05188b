import fs from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import test from 'ava';
import { mintToken } from '../../src/jwt.js';
import { makeCerts } from './certs.js';
import { client, request, serve, tempDir } from './helpers.js';

const TOKEN = 'tls-token';

function httpsGet(port: number, path: string, ca: Buffer, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, path, ca, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('TLS - gRPC and HTTPS on one port with a CA made by openssl; plaintext is refused', async (t) => {
  const certs = makeCerts(tempDir(t));
  const server = await serve(t, { token: TOKEN, tls: certs });
  t.true(server.url.startsWith('https://'));
  await t.notThrowsAsync(client(t, server, { useSsl: true, caFile: certs.caFile }).ping());
  // The system roots do not know our CA.
  await t.throwsAsync(client(t, server, { useSsl: true }).ping(), { code: 'CNV_ERR_TLS_UNTRUSTED' });
  const ca = fs.readFileSync(certs.caFile);
  const ok = await httpsGet(server.port, '/api/v1/ping', ca, { Authorization: `Bearer ${await mintToken(TOKEN)}` });
  t.is(ok.status, 200);
  t.is((await httpsGet(server.port, '/api/v1/ping', ca)).status, 401);
  // Plain HTTP to the TLS port fails, and the server is unharmed.
  await t.throwsAsync(request(server, 'GET', '/api/v1/ping'));
  await t.notThrowsAsync(client(t, server, { useSsl: true, caFile: certs.caFile }).ping());
});

test('TLS - versions below 1.2 are refused', async (t) => {
  const certs = makeCerts(tempDir(t));
  const server = await serve(t, { noToken: true, tls: certs });
  const error = await new Promise<Error | undefined>((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port: server.port, maxVersion: 'TLSv1.1', minVersion: 'TLSv1', ca: fs.readFileSync(certs.caFile) });
    socket.on('secureConnect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.on('error', resolve);
  });
  t.truthy(error);
  await t.notThrowsAsync(client(t, server, { useSsl: true, caFile: certs.caFile }).ping());
});

test('TLS - a missing or wrong file fails at start-up, naming it', async (t) => {
  const dir = tempDir(t);
  const certs = makeCerts(dir);
  await t.throwsAsync(serve(t, { noToken: true, tls: { ...certs, keyFile: `${dir}/nope.key` } }), {
    code: 'CNV_ERR_TLS_CONFIG',
    message: /nope\.key/,
  });
  await t.throwsAsync(serve(t, { noToken: true, tls: { ...certs, keyFile: certs.certFile } }), { code: 'CNV_ERR_TLS_NOT_PEM' });
});

