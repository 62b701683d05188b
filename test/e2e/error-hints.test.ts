/**
 * Client-side advice (issue 12, "Error UX"): what a client says when nothing listens at --rpc-addr, when
 * the server speaks TLS and the client does not, and when the token is wrong or missing. Real server
 * processes on loopback port 0.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { freePort, runCli, scratchDir } from './run-cli.js';
import { startServerProcess } from './server-process.js';

const TOKEN = 'a-long-enough-test-token';

test('plan, ping - connection refused suggests converge server, and --local where the command has it', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const addr = `127.0.0.1:${await freePort()}`;
  const plan = await runCli(['plan', '--nocolor', '--no-token', '--rpc-addr', addr, '--log-format', 'terminal', 'two.hcl'], dir);
  t.is(plan.code, 1);
  t.is(
    plan.stderr,
    [
      `Error: cannot reach converge server at ${addr}: connect ECONNREFUSED ${addr}`,
      '',
      `  Hint: nothing listens at ${addr}: start a server there with "converge server", or run this command in-process with --local`,
      '',
      '  (CNV_ERR_SERVER_UNREACHABLE)',
      '',
      '',
    ].join('\n'),
  );
  const ping = await runCli(['ping', '--nocolor', '--no-token', '--rpc-addr', addr], dir);
  t.is(ping.code, 1);
  t.regex(ping.stderr, /level="FATAL" msg="ping failed" [^\n]*hint="nothing listens at [^"]+: start a server there with \\"converge server\\", or point --rpc-addr at one"/);
});

test('plan, ping - a wrong or missing token says to check --rpc-token, and never shows the token', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const server = await startServerProcess(t, dir, ['--rpc-addr', '127.0.0.1:0', '--state-dir', '.state', '--rpc-token', TOKEN]);
  const addr = `127.0.0.1:${server.port}`;
  const wrong = await runCli(['plan', '--nocolor', '--rpc-addr', addr, '--rpc-token', 'not-the-token-at-all', '--log-format', 'terminal', 'two.hcl'], dir);
  t.is(wrong.code, 1);
  t.regex(wrong.stderr, /^Error: [^\n]+\n\n {2}Hint: the server refused the token: check that --rpc-token \(or CONVERGE_RPC_TOKEN\) is the token the server was started with\n\n {2}\(CNV_ERR_AUTH_INVALID\)\n\n$/);
  t.notRegex(wrong.stderr, /not-the-token-at-all/);
  const missing = await runCli(['ping', '--nocolor', '--rpc-addr', addr], dir);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /code="CNV_ERR_AUTH_MISSING" [^\n]*hint="the server wants a token: pass --rpc-token/);
  const right = await runCli(['ping', '--rpc-addr', addr, '--rpc-token', TOKEN], dir);
  t.is(right.code, 0, right.stderr);
  t.is(await server.stop(), 0);
});

test('plan - a plaintext client against a TLS server says so in one block', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const openssl = (...args: string[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn('openssl', args, { cwd: dir, stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`openssl ${args[0]} exited ${code}`))));
    });
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-days', '2', '-nodes', '-keyout', 'server.key', '-out', 'server.crt', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1');
  t.true(fs.existsSync(path.join(dir, 'server.crt')));
  const server = await startServerProcess(t, dir, ['--rpc-addr', '127.0.0.1:0', '--state-dir', '.state', '--no-token', '--use-ssl', '--cert-file', 'server.crt', '--key-file', 'server.key']);
  const addr = `127.0.0.1:${server.port}`;
  const plan = await runCli(['plan', '--nocolor', '--no-token', '--rpc-addr', addr, '--log-format', 'terminal', 'two.hcl'], dir);
  t.is(plan.code, 1);
  t.is(
    plan.stderr,
    `Error: the server at ${addr} speaks TLS and this client does not: add --use-ssl (and --ca-file with the CA that signed its certificate)\n\n  (CNV_ERR_TLS_PROTOCOL_MISMATCH)\n\n`,
  );
  t.is(await server.stop(), 0);
});

test('plan - a load error from a remote server is one block without a local excerpt: the path is the server\'s', async (t) => {
  const dir = scratchDir(t, 'typo.hcl');
  const server = await startServerProcess(t, dir, ['--rpc-addr', '127.0.0.1:0', '--state-dir', '.state', '--no-token', '--root', '.']);
  const plan = await runCli(['plan', '--nocolor', '--no-token', '--rpc-addr', `127.0.0.1:${server.port}`, '--log-format', 'terminal', 'typo.hcl'], dir);
  t.is(plan.code, 1);
  t.is(
    plan.stderr,
    'Error: I don\'t have a field named "destinaton". Maybe you meant: destination\n\n  on typo.hcl line 2, column 3\n\n  (CNV_ERR_FIELD_UNKNOWN)\n\n',
  );
  t.is(await server.stop(), 0);
});
