import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import test from 'ava';
import { BIN, freePort, runCli, scratchDir, LOCAL } from './run-cli.js';

/** Starts `converge server` on a free port and resolves with its port once it logs that it serves. */
function startServer(t: { teardown(fn: () => void): void }, cwd: string, args: string[]): Promise<{ port: number; child: ChildProcess }> {
  // The run store goes in the test's directory, never in the user's (or root's) state directory.
  const child = spawn(BIN, ['server', '--rpc-addr', '127.0.0.1:0', '--state-dir', '.state', ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    let seen = '';
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString('utf8');
      const match = /msg="serving"[^\n]*addr="127\.0\.0\.1:(\d+)"/.exec(seen);
      if (match) resolve({ port: Number(match[1]), child });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${seen}`)));
  });
}

test('server + plan/apply/ping over --rpc-addr with a token; wrong token fails', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const { port, child } = await startServer(t, dir, ['--rpc-token', 'a-long-enough-test-token']);
  const addr = `127.0.0.1:${port}`;
  const ping = await runCli(['ping', '--rpc-addr', addr, '--rpc-token', 'a-long-enough-test-token'], dir);
  t.is(ping.code, 0, ping.stderr);
  t.is(ping.stdout, 'pong\n');
  const apply = await runCli(['apply', '--nocolor', '--rpc-addr', addr, '--rpc-token', 'a-long-enough-test-token', 'two.hcl'], dir);
  t.is(apply.code, 0, apply.stderr);
  t.true(apply.stdout.endsWith('\nSummary: 0 errors, 2 changes\n'));
  t.is(fs.readFileSync(path.join(dir, 'copy.txt'), 'utf8'), 'hello');
  const wrong = await runCli(['plan', '--rpc-addr', addr, '--rpc-token', 'not-the-token-at-all', 'two.hcl'], dir);
  t.is(wrong.code, 1);
  t.is(wrong.stdout, '');
  t.notRegex(wrong.stderr, /not-the-token-at-all/);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  t.is(await exited, 0);
});

test('--local on a busy port fails clearly instead of talking to the other program', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const blocker = net.createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  t.teardown(() => blocker.close());
  const port = (blocker.address() as net.AddressInfo).port;
  const result = await runCli(['plan', '--local', '--local-addr', `127.0.0.1:${port}`, 'two.hcl'], dir);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  t.regex(result.stderr, /already in use/);
  // The environment variable is as explicit as the flag.
  const fromEnv = await runCli(['plan', '--local', 'two.hcl'], dir, { CONVERGE_LOCAL_ADDR: `127.0.0.1:${port}` });
  t.is(fromEnv.code, 1);
  t.regex(fromEnv.stderr, /already in use/);
});

test('ping - an unreachable server fails with exit 1', async (t) => {
  const dir = scratchDir(t);
  const port = await freePort();
  const result = await runCli(['ping', '--no-token', '--rpc-addr', `127.0.0.1:${port}`, ...LOCAL.slice(3)], dir);
  t.is(result.code, 1);
  t.regex(result.stderr, /level="FATAL"/);
});

test('server --use-ssl + ping/plan with --use-ssl --ca-file; a client without TLS fails', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const openssl = (...args: string[]): Promise<void> =>
    new Promise((resolve, reject) => {
      const child = spawn('openssl', args, { cwd: dir, stdio: 'ignore' });
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`openssl ${args[0]} exited ${code}`))));
    });
  await openssl('req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-days', '2', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=Test CA');
  await openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  await openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-sha256', '-extfile', 'server.ext');
  const { port } = await startServer(t, dir, ['--no-token', '--use-ssl', '--cert-file', 'server.crt', '--key-file', 'server.key']);
  const addr = `127.0.0.1:${port}`;
  const ping = await runCli(['ping', '--no-token', '--rpc-addr', addr, '--use-ssl', '--ca-file', 'ca.crt'], dir);
  t.is(ping.code, 0, ping.stderr);
  t.is(ping.stdout, 'pong\n');
  const plan = await runCli(['plan', '--nocolor', '--no-token', '--rpc-addr', addr, '--use-ssl', '--ca-file', 'ca.crt', 'two.hcl'], dir);
  t.is(plan.code, 0, plan.stderr);
  t.true(plan.stdout.endsWith('\nSummary: 0 errors, 2 changes\n'));
  const plaintext = await runCli(['ping', '--no-token', '--rpc-addr', addr], dir);
  t.is(plaintext.code, 1);
  t.regex(plaintext.stderr, /speaks TLS and this client does not: add --use-ssl/);
});

test('server - --use-ssl without a key, and a --root that is not a directory, are usage errors', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const noKey = await runCli(['server', '--rpc-addr', '127.0.0.1:0', '--use-ssl', '--cert-file', 'x.crt'], dir);
  t.is(noKey.code, 255);
  t.regex(noKey.stderr, /--use-ssl needs both --cert-file and --key-file/);
  const badRoot = await runCli(['server', '--rpc-addr', '127.0.0.1:0', '--root', 'two.hcl'], dir);
  t.is(badRoot.code, 255);
  t.regex(badRoot.stderr, /--root two\.hcl is not a directory/);
});

test('--local with the default address busy takes a free port and says so at debug level', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  // Hold the default port; if another program already holds it, the condition is met all the same.
  const blocker = net.createServer((socket) => socket.destroy());
  const held = await new Promise<boolean>((resolve) => {
    blocker.once('error', () => resolve(false));
    blocker.listen(47740, '127.0.0.1', () => resolve(true));
  });
  if (held) t.teardown(() => blocker.close());
  const result = await runCli(['plan', '--local', '--log-level', 'debug', 'two.hcl'], dir);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stderr, /default --local-addr is in use; the in-process server took a free port.*busy="?127\.0\.0\.1:47740/);
  t.regex(result.stdout, /Summary: 0 errors/);
});


test('--local serves gRPC and HTTP on its port while its run goes on (they load on the first connection)', async (t) => {
  const dir = scratchDir(t);
  // The check waits (20 s at most) for a file that the test writes once it has talked to the port.
  fs.writeFileSync(path.join(dir, 'wait.hcl'), 'task "wait" {\n  check = "for i in $(seq 200); do [ -e go ] && exit 0; sleep 0.1; done; exit 1"\n  apply = "true"\n}\n');
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const run = runCli(['plan', '--local', '--local-addr', addr, '--no-token', '--nocolor', 'wait.hcl'], dir);
  let ping = await runCli(['ping', '--rpc-addr', addr, '--no-token'], dir);
  for (let i = 0; i < 50 && ping.code !== 0; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    ping = await runCli(['ping', '--rpc-addr', addr, '--no-token'], dir);
  }
  const http = await fetch(`http://${addr}/api/v1/ping`).then((response) => response.status, (error: unknown) => String(error));
  fs.writeFileSync(path.join(dir, 'go'), '');
  const result = await run;
  t.is(ping.code, 0, ping.stderr);
  t.is(ping.stdout, 'pong\n');
  t.is(http, 200);
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /Summary: 0 errors, 0 changes/);
});
