/**
 * SIGTERM with a client attached: a real `converge server` process, a real `converge apply` client
 * mid-run, and kill -TERM. The apply finishes and reaches its client; a run past --shutdown-grace is
 * reported as interrupted with the nodes that ran; new jobs are refused while the server drains.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { BIN, runCli, scratchDir } from '../e2e/run-cli.js';
import { client, serve, tempDir } from './helpers.js';
import { collect, postStream } from './streams.js';

const TOKEN = 'shutdown-test-token-long-enough';

/** first runs at once; second waits on a file the test creates after sending SIGTERM. */
const MODULE = `task "first" {
  check = "test -f first.txt"
  apply = "echo one > first.txt"
}

task "second" {
  check   = "test -f second.txt"
  apply   = "while [ ! -f go ]; do sleep 0.05; done; sleep 0.5; echo two > second.txt"
  depends = ["task.first"]
}
`;

interface Server {
  readonly port: number;
  readonly child: ChildProcess;
  stderr(): string;
}

function startServer(t: { teardown(fn: () => void): void }, cwd: string, args: string[]): Promise<Server> {
  // The run store goes in the test's directory, never in the user's (or root's) state directory.
  const child = spawn(BIN, ['server', '--rpc-addr', '127.0.0.1:0', '--rpc-token', TOKEN, '--state-dir', '.state', ...args], {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  t.teardown(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let seen = '';
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      seen += d.toString('utf8');
      const match = /msg="serving"[^\n]*addr="127\.0\.0\.1:(\d+)"/.exec(seen);
      if (match) resolve({ port: Number(match[1]), child, stderr: () => seen });
    });
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${seen}`)));
  });
}

async function waitFor(condition: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('SIGTERM during a remote apply: the apply finishes, the client gets it all and exits 0', async (t) => {
  const dir = scratchDir(t);
  fs.writeFileSync(path.join(dir, 'slow.hcl'), MODULE);
  const server = await startServer(t, dir, ['--shutdown-grace', '60s']);
  const addr = `127.0.0.1:${server.port}`;
  const apply = runCli(['apply', '--nocolor', '--rpc-addr', addr, '--rpc-token', TOKEN, 'slow.hcl'], dir);
  await waitFor(() => fs.existsSync(path.join(dir, 'first.txt')), 'the first node to apply');
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await waitFor(() => /shutting down/.test(server.stderr()), 'the server to start draining');
  // A new job while draining is refused as such, not as a dead server.
  const refused = await runCli(['plan', '--nocolor', '--rpc-addr', addr, '--rpc-token', TOKEN, 'slow.hcl'], dir);
  t.not(refused.code, 0);
  t.regex(refused.stderr, /shutting down|CNV_ERR_SERVER_SHUTTING_DOWN|cannot reach/);
  fs.writeFileSync(path.join(dir, 'go'), '');
  const result = await apply;
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /second/);
  t.regex(result.stdout, /Summary: 0 errors, 2 changes/);
  t.is(fs.readFileSync(path.join(dir, 'second.txt'), 'utf8'), 'two\n');
  t.is(await exited, 0, server.stderr());
});

test('SIGTERM past --shutdown-grace: the client is told the run was interrupted, with the nodes that ran', async (t) => {
  const dir = scratchDir(t);
  fs.writeFileSync(path.join(dir, 'slow.hcl'), MODULE);
  const server = await startServer(t, dir, ['--shutdown-grace', '500ms']);
  const addr = `127.0.0.1:${server.port}`;
  const apply = runCli(['apply', '--nocolor', '--rpc-addr', addr, '--rpc-token', TOKEN, 'slow.hcl'], dir);
  await waitFor(() => fs.existsSync(path.join(dir, 'first.txt')), 'the first node to apply');
  const exited = new Promise<number | null>((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  const result = await apply;
  t.not(result.code, 0);
  t.regex(result.stderr, /CNV_ERR_JOB_INTERRUPTED|shut down before/);
  t.regex(result.stderr, /root\/task\.first/, 'the nodes that finished are named');
  t.notRegex(result.stderr, /Call cancelled/);
  t.is(await exited, 0, server.stderr());
});

test('shutdown() in-process over HTTP: a running plan streams to its end, then the server closes', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'plan.hcl'), 'task "p" {\n  check = "touch started; sleep 1; exit 1"\n  apply = "true"\n}\n');
  const server = await serve(t, { noToken: true, cwd });
  const plan = postStream(server.port, '/api/v1/machine/plan', { location: 'plan.hcl' }, null);
  await waitFor(() => fs.existsSync(path.join(cwd, 'started')), 'the plan to start');
  await server.shutdown(30_000);
  const result = await plan;
  t.is(result.status, 200);
  t.true(result.lines.some((l) => l['result']?.id === 'root/task.p' && l['result']?.run === 'FINISHED'));
  t.false(result.lines.some((l) => l['error'] !== undefined));
});

test('while draining, a job on an open gRPC connection is refused with CNV_ERR_SERVER_SHUTTING_DOWN', async (t) => {
  const cwd = tempDir(t);
  fs.writeFileSync(path.join(cwd, 'plan.hcl'), 'task "p" {\n  check = "touch started; sleep 1.5; exit 1"\n  apply = "true"\n}\n');
  const server = await serve(t, { noToken: true, cwd });
  const c = client(t, server);
  await c.ping();
  const running = collect(c.plan({ location: 'plan.hcl' }));
  await waitFor(() => fs.existsSync(path.join(cwd, 'started')), 'the plan to start');
  const stopped = server.shutdown(30_000);
  const error = await t.throwsAsync(collect(c.plan({ location: 'plan.hcl' })));
  t.is((error as unknown as { code: string }).code, 'CNV_ERR_SERVER_SHUTTING_DOWN');
  const first = await running;
  t.true(first.events.some((e) => e.id === 'root/task.p' && e.run === 'FINISHED'), 'the running plan still ends normally');
  await stopped;
});
