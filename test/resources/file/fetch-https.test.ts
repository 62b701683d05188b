/**
 * file.fetch over https against a loopback server with a certificate from a throw-away CA. The fetch
 * runs in a child process started with NODE_EXTRA_CA_CERTS (Node reads it only at start-up), so the
 * CA is trusted the way an operator would configure it, without disabling verification.
 */
import test from 'ava';
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { ROOT, tempDir } from '../system-helpers.js';

const BODY = Buffer.from('over tls\n'.repeat(500));

function makeCertificates(dir: string): void {
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-days', '2', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=Converge Test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-sha256', '-extfile', 'server.ext');
}

/** Runs one fetch apply in a child node process; resolves with the status it printed. */
function fetchInChild(fields: Record<string, unknown>, env: Record<string, string>): Promise<{ level: number; error?: string }> {
  const module = path.join(ROOT, 'build/src/resources/file/fetch.js');
  const script = `
    const { fileFetch } = await import(${JSON.stringify(module)});
    const task = await fileFetch.prepare(${JSON.stringify(fields)}, { id: 'root/file.fetch.tls', cwd: process.cwd() });
    const status = await task.apply({ signal: new AbortController().signal, cwd: process.cwd() });
    process.stdout.write(JSON.stringify(status));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

test('fetches over https when the CA is trusted, and refuses an untrusted certificate', async (t) => {
  const dir = tempDir(t);
  makeCertificates(dir);
  const server = https.createServer(
    { key: fs.readFileSync(path.join(dir, 'server.key')), cert: fs.readFileSync(path.join(dir, 'server.crt')) },
    (_req, res) => res.end(BODY),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/file`;
  const hash = createHash('sha512').update(BODY).digest('hex');

  const trusted = path.join(dir, 'trusted.txt');
  const ok = await fetchInChild({ source: url, destination: trusted, hash_type: 'sha512', hash }, { NODE_EXTRA_CA_CERTS: path.join(dir, 'ca.crt') });
  t.is(ok.error, undefined);
  t.deepEqual(fs.readFileSync(trusted), BODY);

  const untrusted = path.join(dir, 'untrusted.txt');
  const refused = await fetchInChild({ source: url, destination: untrusted }, {});
  t.is(refused.level, 5);
  t.regex(refused.error ?? '', /^failed to fetch: fetch failed: .*(self-signed|unable to (get|verify))/i);
  t.false(fs.existsSync(untrusted));
});
