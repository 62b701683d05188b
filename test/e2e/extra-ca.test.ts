/**
 * NODE_EXTRA_CA_CERTS through bin/converge, which defers it past Node's start-up (src/extra-ca.ts):
 * a file.fetch from a loopback https server whose CA is only in that file works with --local (main
 * thread) and through a server process (worker threads), fails without the variable, and a task sees
 * the variable as the caller set it, with nothing of the deferral in its environment.
 */
import fs from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { makeCerts, type TestCerts } from '../frontdoor/certs.js';
import { LOCAL, runCli, scratchDir } from './run-cli.js';
import { startServerProcess } from './server-process.js';

/** A loopback https server answering every request with `body`; returns its URL. */
async function httpsServer(t: ExecutionContext, certs: TestCerts, body: string): Promise<string> {
  const server = https.createServer({ key: fs.readFileSync(certs.keyFile), cert: fs.readFileSync(certs.certFile) }, (_req, res) => res.end(body));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}/file`;
}

function module(url: string): string {
  return [
    `file.fetch "get" {\n  source = "${url}"\n  destination = "fetched.txt"\n}`,
    'task "env" {\n  check = "exit 1"\n  apply = "env > seen-env.txt"\n}',
    '',
  ].join('\n');
}

async function setUp(t: ExecutionContext): Promise<{ dir: string; ca: string }> {
  const dir = scratchDir(t);
  const certs = makeCerts(dir);
  const url = await httpsServer(t, certs, 'over tls\n');
  fs.writeFileSync(path.join(dir, 'm.hcl'), module(url));
  return { dir, ca: certs.caFile };
}

test('extra CA: --local trusts NODE_EXTRA_CA_CERTS, and a task sees the variable unchanged', async (t) => {
  const { dir, ca } = await setUp(t);
  const result = await runCli(['apply', ...LOCAL, 'm.hcl'], dir, { NODE_EXTRA_CA_CERTS: ca });
  t.is(result.code, 0, result.stdout + result.stderr);
  t.is(fs.readFileSync(path.join(dir, 'fetched.txt'), 'utf8'), 'over tls\n');
  const env = fs.readFileSync(path.join(dir, 'seen-env.txt'), 'utf8').split('\n');
  t.true(env.includes(`NODE_EXTRA_CA_CERTS=${ca}`));
  t.false(env.some((line) => line.startsWith('CONVERGE_DEFERRED_EXTRA_CA_CERTS=')));
});

test('extra CA: without NODE_EXTRA_CA_CERTS the same fetch is refused', async (t) => {
  const { dir } = await setUp(t);
  const result = await runCli(['apply', ...LOCAL, 'm.hcl'], dir, { NODE_EXTRA_CA_CERTS: '/nonexistent/ca.crt' });
  t.is(result.code, 1);
  t.regex(result.stdout, /self-signed|unable to (get|verify)/i);
  t.false(fs.existsSync(path.join(dir, 'fetched.txt')));
});

test('extra CA: a server process trusts it on its worker threads', async (t) => {
  const { dir, ca } = await setUp(t);
  const server = await startServerProcess(t, dir, ['--rpc-addr', '127.0.0.1:0', '--no-token', '--no-store'], { NODE_EXTRA_CA_CERTS: ca });
  const result = await runCli(['apply', '--rpc-addr', `127.0.0.1:${server.port}`, '--no-token', '--nocolor', 'm.hcl'], dir);
  await server.stop();
  t.is(result.code, 0, result.stdout + result.stderr);
  t.is(fs.readFileSync(path.join(dir, 'fetched.txt'), 'utf8'), 'over tls\n');
});
