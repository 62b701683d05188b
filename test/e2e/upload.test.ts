/**
 * `--upload` (issue 12): a real `converge server` whose directory and --root hold none of the modules,
 * and the real CLI in another directory holding them. With --upload the server runs this machine's
 * module and the local modules it includes; without it, the error says to use --upload. Loopback only.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { ConvergeClient } from '../../src/frontdoor/client.js';
import { ConvergeError } from '../../src/errors.js';
import { ROOT, runCli } from './run-cli.js';
import { startServerProcess, type ServerProcess } from './server-process.js';

const FIXTURES = path.join(ROOT, 'test/fixtures/upload');
const MODULES = ['main.hcl', 'common.hcl', 'escape.hcl', 'lib/write.hcl', 'lib/more.hcl'];

function tempDir(t: ExecutionContext, prefix: string): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

interface Setup {
  /** The client's directory: the modules, and `out/` where they write. */
  readonly client: string;
  readonly out: string;
  /** The server's directory and --root: empty but for its state. */
  readonly serverDir: string;
  readonly server: ServerProcess;
  readonly rpc: readonly string[];
}

async function setup(t: ExecutionContext): Promise<Setup> {
  const client = tempDir(t, 'converge-upload-client-');
  for (const name of MODULES) {
    fs.mkdirSync(path.dirname(path.join(client, name)), { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, name), path.join(client, name));
  }
  const out = path.join(client, 'out');
  fs.mkdirSync(out);
  const serverDir = tempDir(t, 'converge-upload-server-');
  const server = await startServerProcess(t, serverDir, ['--rpc-addr', '127.0.0.1:0', '--state-dir', '.state', '--no-token', '--root', '.']);
  return { client, out, serverDir, server, rpc: ['--nocolor', '--no-token', '--rpc-addr', `127.0.0.1:${server.port}`] };
}

test('plan, apply --upload - the server runs the local module and its local includes; without it the error says --upload', async (t) => {
  const s = await setup(t);
  const param = ['-p', `dir=${s.out}`];
  const without = await runCli(['plan', ...s.rpc, '--log-format', 'terminal', ...param, 'main.hcl'], s.client);
  t.is(without.code, 1);
  t.regex(without.stderr, /^Error: open .*converge-upload-server-[^/]+\/main\.hcl: no such file or directory\n/);
  t.regex(without.stderr, /Hint: module paths resolve on the server, against its own directory: use --upload to send the local module \(and the local modules it includes\)/);
  t.regex(without.stderr, /\(CNV_ERR_LOAD_NOT_FOUND\)/);
  // logfmt carries the same hint as a field.
  const logfmt = await runCli(['plan', ...s.rpc, ...param, 'main.hcl'], s.client);
  t.regex(logfmt.stderr, /code="CNV_ERR_LOAD_NOT_FOUND" [^\n]*hint="[^"]*use --upload to send the local module/);

  const plan = await runCli(['plan', '--upload', ...s.rpc, ...param, 'main.hcl'], s.client);
  t.is(plan.code, 0, plan.stderr);
  t.regex(plan.stdout, /root\/module\.w\/module\.m\/module\.c\/file\.content\.c:/);
  t.regex(plan.stdout, /Summary: 0 errors, 3 changes/);
  t.deepEqual(fs.readdirSync(s.out), [], 'a plan writes nothing');

  const apply = await runCli(['apply', '--upload', ...s.rpc, ...param, 'main.hcl'], s.client);
  t.is(apply.code, 0, apply.stderr);
  t.is(fs.readFileSync(path.join(s.out, 'a.txt'), 'utf8'), 'a, uploaded');
  t.is(fs.readFileSync(path.join(s.out, 'b.txt'), 'utf8'), 'b, uploaded');
  t.is(fs.readFileSync(path.join(s.out, 'c.txt'), 'utf8'), 'c, uploaded');
  t.deepEqual(fs.readdirSync(s.serverDir), ['.state'], 'no module reached the server\'s directory');

  // A changed include is what the next run uses: nothing is cached on the server.
  fs.writeFileSync(path.join(s.client, 'common.hcl'), fs.readFileSync(path.join(s.client, 'common.hcl'), 'utf8').replace('c, uploaded', 'c, again'));
  const again = await runCli(['apply', '--upload', ...s.rpc, ...param, 'main.hcl'], s.client);
  t.is(again.code, 0, again.stderr);
  t.regex(again.stdout, /Summary: 0 errors, 1 changes/);
  t.is(fs.readFileSync(path.join(s.out, 'c.txt'), 'utf8'), 'c, again');
  t.is(await s.server.stop(), 0);
});

test('graph, healthcheck, plan -out --upload - accept the flag and run the uploaded modules; a saved plan keeps their texts', async (t) => {
  const s = await setup(t);
  const param = ['-p', `dir=${s.out}`];
  const graph = await runCli(['graph', '--upload', ...s.rpc, ...param, 'main.hcl'], s.client);
  t.is(graph.code, 0, graph.stderr);
  t.regex(graph.stdout, /^digraph \{/);
  t.regex(graph.stdout, /"root\/module\.w\/module\.m\/module\.c\/file\.content\.c"/);
  const health = await runCli(['healthcheck', '--upload', ...s.rpc, ...param, 'main.hcl'], s.client);
  t.is(health.code, 0, health.stderr);
  const saved = await runCli(['plan', '--upload', ...s.rpc, ...param, '-out', 'plan.cvg', 'main.hcl'], s.client);
  t.is(saved.code, 0, saved.stderr);
  // The plan file holds the uploaded texts; --upload beside it changes nothing.
  const applied = await runCli(['apply', '--upload', ...s.rpc, 'plan.cvg'], s.client);
  t.is(applied.code, 0, applied.stderr);
  t.deepEqual(fs.readdirSync(s.out).sort(), ['a.txt', 'b.txt', 'c.txt']);
  const without = await runCli(['graph', ...s.rpc, '--log-format', 'terminal', ...param, 'main.hcl'], s.client);
  t.is(without.code, 1);
  t.regex(without.stderr, /use --upload to send the local module/);
  // --local reads this machine's files already: no --upload hint for a file that is missing here too.
  const local = await runCli(['plan', '--local', '--local-addr', '127.0.0.1:0', '--nocolor', '--log-format', 'terminal', 'nope.hcl'], s.client);
  t.is(local.code, 1);
  t.regex(local.stderr, /\(CNV_ERR_LOAD_NOT_FOUND\)/);
  t.notRegex(local.stderr, /--upload/);
  t.is(await s.server.stop(), 0);
});

test('plan --upload - an include that escapes the module\'s directory, and an upload past 4 MiB, are refused before sending', async (t) => {
  const s = await setup(t);
  fs.writeFileSync(path.join(path.dirname(s.client), `${path.basename(s.client)}-outside.hcl`), '');
  const escape = await runCli(['plan', '--upload', ...s.rpc, '--log-format', 'terminal', 'escape.hcl'], s.client);
  t.is(escape.code, 1);
  t.regex(escape.stderr, /^Error: module "\.\.\/outside\.hcl" is outside .+, the top module's directory: --upload sends only the modules under it\n/);
  t.regex(escape.stderr, /on escape\.hcl line 2, column 1:\n\s+2 \| module "\.\.\/outside\.hcl" "o" \{\}/);
  t.regex(escape.stderr, /\(CNV_ERR_UPLOAD_PATH\)/);

  fs.writeFileSync(path.join(s.client, 'lib', 'big.hcl'), `# ${'x'.repeat(4 * 1024 * 1024)}\n`);
  fs.writeFileSync(path.join(s.client, 'big.hcl'), 'module "lib/big.hcl" "b" {}\n');
  const big = await runCli(['plan', '--upload', ...s.rpc, 'big.hcl'], s.client);
  t.is(big.code, 1);
  t.regex(big.stderr, /code="CNV_ERR_UPLOAD_TOO_LARGE"/);
  t.regex(big.stderr, /lib\/big\.hcl brings the uploaded modules to \d+ bytes, past the upload limit of 4194304 bytes \(4 MiB\)/);
  t.notRegex(s.server.stderr(), /msg="run (started|failed)"/, 'nothing reached the server');
  t.is(await s.server.stop(), 0);
});

test('server - files over gRPC and in an HTTP JSON body: read before its own files; escaping keys and oversize uploads refused', async (t) => {
  const s = await setup(t);
  const read = (name: string): string => fs.readFileSync(path.join(s.client, name), 'utf8');
  const files = { 'lib/write.hcl': read('lib/write.hcl'), 'lib/more.hcl': read('lib/more.hcl'), 'common.hcl': read('common.hcl') };
  const client = new ConvergeClient({ address: `127.0.0.1:${s.server.port}`, token: null });
  t.teardown(() => client.close());
  const escaping = await t.throwsAsync(client.graph({ location: 'main.hcl', content: read('main.hcl'), files: { ...files, '../common.hcl': '' } }));
  t.true(escaping instanceof ConvergeError);
  t.is((escaping as ConvergeError).code, 'CNV_ERR_UPLOAD_PATH');
  t.regex(escaping!.message, /files\["\.\.\/common\.hcl"\]: the path leaves the top module's directory/);
  const graph = await client.graph({ location: 'main.hcl', content: read('main.hcl'), params: { dir: s.out }, files });
  t.true(graph.vertices.some((v) => v.id === 'root/module.w/module.m/module.c/file.content.c'));

  const post = (body: unknown, route = 'plan'): Promise<Response> =>
    fetch(`http://127.0.0.1:${s.server.port}/api/v1/machine/${route}`, { method: 'POST', body: JSON.stringify(body) });
  const ok = await post({ location: 'main.hcl', content: read('main.hcl'), parameters: { dir: s.out }, files });
  t.is(ok.status, 200);
  t.regex(await ok.text(), /"id":"root\/module\.w\/module\.m\/module\.c\/file\.content\.c"/);
  const absolute = await post({ location: 'main.hcl', content: read('main.hcl'), files: { '/etc/passwd': '' } });
  t.is(absolute.status, 400);
  t.regex(await absolute.text(), /files\[\\"\/etc\/passwd\\"\]: the path is absolute/);
  const tooBig = await post({ location: 'main.hcl', content: read('main.hcl'), files: { ...files, 'big.hcl': 'x'.repeat(4 * 1024 * 1024) } });
  t.is(tooBig.status, 400);
  t.regex(await tooBig.text(), /files\[\\"big\.hcl\\"\] brings the uploaded modules to \d+ bytes, past the upload limit of 4194304 bytes \(4 MiB\)/);
  const notMap = await post({ location: 'main.hcl', content: read('main.hcl'), files: ['a'] });
  t.is(notMap.status, 400);
  t.regex(await notMap.text(), /field files must be a map of strings/);
  const withPlan = await post({ savedPlan: '{}', files }, 'apply');
  t.is(withPlan.status, 400);
  t.regex(await withPlan.text(), /files is not used with saved_plan: the plan carries its module texts/);
  t.is(await s.server.stop(), 0);
});
