/**
 * TLS files checked at start-up and at client creation, and TLS failures explained at connect time,
 * each with its own code and the file or the server named: with real certificates made by openssl in
 * each test, a real server on 127.0.0.1 port 0 and the real client.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ConvergeClient } from '../../src/frontdoor/client.js';
import { EXPIRED, makeCerts } from './certs.js';
import { client, serve, tempDir } from './helpers.js';

function notPem(dir: string): string {
  const file = path.join(dir, 'not-pem.crt');
  fs.writeFileSync(file, 'this is a DER file, or a password, or anything but PEM\n');
  return file;
}

/** openssl's date form for `seconds` from now. */
function opensslDate(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString().replace(/[-:T]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

test('start-up - a --ca-file, --cert-file or --key-file that is not PEM is CNV_ERR_TLS_NOT_PEM naming the file', async (t) => {
  const dir = tempDir(t);
  const certs = makeCerts(dir);
  const bad = notPem(dir);
  for (const [field, flag] of [['caFile', '--ca-file'], ['certFile', '--cert-file'], ['keyFile', '--key-file']] as const) {
    const error = await t.throwsAsync(serve(t, { noToken: true, tls: { ...certs, [field]: bad } }), { code: 'CNV_ERR_TLS_NOT_PEM' });
    t.true(error?.message.startsWith(`${flag} ${bad}: not PEM`), error?.message);
  }
  // A certificate where the key belongs: PEM, but no private key block.
  await t.throwsAsync(serve(t, { noToken: true, tls: { ...certs, keyFile: certs.certFile } }), {
    code: 'CNV_ERR_TLS_NOT_PEM',
    message: /--key-file .*127\.0\.0\.1\.crt: not PEM: no "-----BEGIN … PRIVATE KEY-----"/,
  });
  const encrypted = path.join(dir, 'encrypted.key');
  execFileSync('openssl', ['pkey', '-in', certs.keyFile, '-aes256', '-passout', 'pass:secret', '-out', encrypted]);
  await t.throwsAsync(serve(t, { noToken: true, tls: { ...certs, keyFile: encrypted } }), { code: 'CNV_ERR_TLS_NOT_PEM', message: /encrypted/ });
});

test('start-up - a key of another certificate is CNV_ERR_TLS_KEY_MISMATCH naming both files', async (t) => {
  const mine = makeCerts(tempDir(t));
  const other = makeCerts(tempDir(t));
  const error = await t.throwsAsync(serve(t, { noToken: true, tls: { ...mine, keyFile: other.keyFile } }), { code: 'CNV_ERR_TLS_KEY_MISMATCH' });
  t.is(error?.message, `--key-file ${other.keyFile} does not match the certificate in --cert-file ${mine.certFile} (CN=127.0.0.1)`);
});

test('start-up - an expired certificate or CA is CNV_ERR_TLS_EXPIRED with the date', async (t) => {
  const expiredCert = makeCerts(tempDir(t), { serverDates: EXPIRED });
  await t.throwsAsync(serve(t, { noToken: true, tls: expiredCert }), {
    code: 'CNV_ERR_TLS_EXPIRED',
    message: `--cert-file ${expiredCert.certFile}: the certificate (CN=127.0.0.1) expired on 2020-02-01T00:00:00Z; renew it`,
  });
  const expiredCa = makeCerts(tempDir(t), { caDates: EXPIRED });
  await t.throwsAsync(serve(t, { noToken: true, tls: expiredCa }), {
    code: 'CNV_ERR_TLS_EXPIRED',
    message: `--ca-file ${expiredCa.caFile}: the CA certificate (CN=your-company) expired on 2020-02-01T00:00:00Z; renew it`,
  });
  const future = makeCerts(tempDir(t), { serverDates: { start: '20990101000000Z', end: '20990201000000Z' } });
  await t.throwsAsync(serve(t, { noToken: true, tls: future }), { code: 'CNV_ERR_TLS_NOT_YET_VALID', message: /not valid before 2099-01-01T00:00:00Z/ });
});

test('client - a --ca-file that is not PEM or has expired fails when the client is made', (t) => {
  const dir = tempDir(t);
  const bad = notPem(dir);
  t.throws(() => new ConvergeClient({ address: '127.0.0.1:1', useSsl: true, caFile: bad }), {
    code: 'CNV_ERR_TLS_NOT_PEM',
    message: `--ca-file ${bad}: not PEM: no "-----BEGIN CERTIFICATE-----" block in it`,
  });
  const expired = makeCerts(dir, { caDates: EXPIRED });
  t.throws(() => new ConvergeClient({ address: '127.0.0.1:1', useSsl: true, caFile: expired.caFile }), {
    code: 'CNV_ERR_TLS_EXPIRED',
    message: /expired on 2020-02-01T00:00:00Z/,
  });
});

test('client - a CA that did not sign the server certificate is CNV_ERR_TLS_UNTRUSTED, not OpenSSL words', async (t) => {
  const served = makeCerts(tempDir(t));
  const stranger = makeCerts(tempDir(t));
  const server = await serve(t, { noToken: true, tls: served });
  const wrongCa = await t.throwsAsync(client(t, server, { useSsl: true, caFile: stranger.caFile }).ping(), { code: 'CNV_ERR_TLS_UNTRUSTED' });
  t.is(
    wrongCa?.message,
    `the server at 127.0.0.1:${server.port} presents a certificate (CN=127.0.0.1, issued by CN=your-company) that is not signed by the CA in --ca-file ${stranger.caFile}`,
  );
  t.notRegex(wrongCa?.message ?? '', /self-signed certificate in certificate chain/);
  const systemRoots = await t.throwsAsync(client(t, server, { useSsl: true }).ping(), { code: 'CNV_ERR_TLS_UNTRUSTED' });
  t.regex(systemRoots?.message ?? '', /not signed by any CA this machine trusts \(pass --ca-file/);
});

test('client - a server whose certificate expired while it ran is CNV_ERR_TLS_SERVER_EXPIRED with the date', async (t) => {
  // Valid from an hour ago until a few seconds after signing: the server starts, then the certificate expires.
  let end = '';
  const certs = makeCerts(tempDir(t), { serverDates: () => ({ start: opensslDate(-3600), end: (end = opensslDate(4)) }) });
  const server = await serve(t, { noToken: true, tls: certs });
  const endMs = Date.parse(`${end.slice(0, 4)}-${end.slice(4, 6)}-${end.slice(6, 8)}T${end.slice(8, 10)}:${end.slice(10, 12)}:${end.slice(12, 14)}Z`);
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, endMs - Date.now() + 1500)));
  const error = await t.throwsAsync(client(t, server, { useSsl: true, caFile: certs.caFile }).ping(), { code: 'CNV_ERR_TLS_SERVER_EXPIRED' });
  t.is(
    error?.message,
    `the server at 127.0.0.1:${server.port} presents a certificate (CN=127.0.0.1) that expired on ${new Date(endMs).toISOString().replace('.000Z', 'Z')}; renew it on the server`,
  );
});

test('client - TLS on one side only is CNV_ERR_TLS_PROTOCOL_MISMATCH, saying which flag to change', async (t) => {
  const certs = makeCerts(tempDir(t));
  const tlsServer = await serve(t, { noToken: true, tls: certs });
  await t.throwsAsync(client(t, tlsServer).ping(), {
    code: 'CNV_ERR_TLS_PROTOCOL_MISMATCH',
    message: `the server at 127.0.0.1:${tlsServer.port} speaks TLS and this client does not: add --use-ssl (and --ca-file with the CA that signed its certificate)`,
  });
  const plainServer = await serve(t, { noToken: true });
  await t.throwsAsync(client(t, plainServer, { useSsl: true, caFile: certs.caFile }).ping(), {
    code: 'CNV_ERR_TLS_PROTOCOL_MISMATCH',
    message: /does not speak TLS: drop --use-ssl/,
  });
});

test('client - a certificate for another address is CNV_ERR_TLS_UNTRUSTED naming both', async (t) => {
  const certs = makeCerts(tempDir(t), 'IP:10.1.2.3');
  const server = await serve(t, { noToken: true, tls: certs });
  await t.throwsAsync(client(t, server, { useSsl: true, caFile: certs.caFile }).ping(), {
    code: 'CNV_ERR_TLS_UNTRUSTED',
    message: `the server at 127.0.0.1:${server.port} presents a certificate for IP Address:10.1.2.3, not for 127.0.0.1`,
  });
});
