/**
 * Per-run limits where the work happens: nesting in the HCL and template parsers (and through param
 * chains), template steps and output, module depth, count and cycles, and graph size. Each trip is its
 * own CNV_ERR_LIMIT_* code with the file position, the limit's value and the flag that raises it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { validateJob } from '../../../src/graph/engine.js';
import { ConvergeError } from '../../../src/errors.js';
import type { RunLimitValues } from '../../../src/protocol.js';
import { tempDir } from '../engine/helpers.js';

async function refused(
  t: ExecutionContext,
  main: string,
  files: Record<string, string> = {},
  limits: Partial<RunLimitValues> = {},
): Promise<ConvergeError> {
  const dir = tempDir(t, { ...files, 'main.hcl': main });
  const error = await t.throwsAsync(validateJob({ kind: 'plan', location: 'main.hcl', params: {}, cwd: dir, parallelism: 1, limits }));
  if (!(error instanceof ConvergeError)) throw new Error(`not a ConvergeError: ${String(error)}`);
  t.notRegex(error.message, /Maximum call stack/);
  return error;
}

function content(template: string): string {
  return `file.content "x" {\n  destination = "x"\n  content = ${JSON.stringify(template)}\n}\n`;
}

const nesting = test.macro({
  async exec(t, main: string, where: RegExp) {
    const error = await refused(t, main);
    t.is(error.code, 'CNV_ERR_LIMIT_NESTING');
    t.regex(error.message, where);
    t.regex(error.message, /nesting depth limit of 200 reached \(raise it with converge server --max-nesting\)/);
    t.like(error.details, { limit: 'nesting', value: 200, flag: '--max-nesting' });
  },
  title: (name = '') => `nesting - ${name} is a positioned CNV_ERR_LIMIT_NESTING, not a stack overflow`,
});

test('2,000 levels of objects', nesting, `a = ${'{ b = '.repeat(2000)}1${' }'.repeat(2000)}\n`, /^main\.hcl:1:\d+: /);
test('3,000 levels of blocks', nesting, `task "x" ${'{ b '.repeat(3000)}{}${' }'.repeat(3000)}\n`, /^main\.hcl:1:\d+: /);
test('5,000 levels of lists', nesting, `a = ${'['.repeat(5000)}${']'.repeat(5000)}\n`, /^main\.hcl:1:205: /);
test('2,000 template parentheses', nesting, content(`{{${'('.repeat(2000)}1${')'.repeat(2000)}}}`), /^main\.hcl:\d+:\d+: template: /);
test('2,000 nested ifs', nesting, content(`${'{{if 1}}'.repeat(2000)}${'{{end}}'.repeat(2000)}`), /^main\.hcl:\d+:\d+: template: /);

test('nesting - a chain of 5,000 params, each defaulting to the next, stops at the limit', async (t) => {
  let main = '';
  for (let i = 0; i < 5000; i++) main += `param "p${i}" { default = "{{param \`p${i + 1}\`}}" }\n`;
  main += 'param "p5000" { default = "end" }\n';
  const error = await refused(t, main);
  t.is(error.code, 'CNV_ERR_LIMIT_NESTING');
  t.regex(error.message, /^main\.hcl:\d+:\d+: nesting depth limit of 200/);
});

test('nesting - depth within the limit is fine, and the limit is settable', async (t) => {
  const list = `${'['.repeat(150)}${']'.repeat(150)}`;
  const dir = tempDir(t, { 'main.hcl': `param "deep" { default = ${list} }\n${content(`{{${'('.repeat(150)}1${')'.repeat(150)}}}`)}` });
  await t.notThrowsAsync(validateJob({ kind: 'plan', location: 'main.hcl', params: {}, cwd: dir, parallelism: 1 }));
  const error = await refused(t, `param "p" { default = [[1]] }\n`, {}, { nesting: 2 });
  t.regex(error.message, /limit of 2 reached/);
});

test('templateSteps - {{range 100000000}} stops at the step limit with its position', async (t) => {
  const error = await refused(t, content('{{range 100000000}}{{end}}'), {}, { templateSteps: 100_000 });
  t.is(error.code, 'CNV_ERR_LIMIT_TEMPLATE_STEPS');
  t.regex(error.message, /^main\.hcl:3:\d+: template: executing at <range 100000000>: template execution steps per render limit of 100000 reached \(raise it with converge server --max-template-steps\)$/);
});

test('templateOutputBytes - doubling a string, join over split, and padding every element all stop at the limit', async (t) => {
  const limits = { templateOutputBytes: 4 * 1024 * 1024 };
  const doubling = await refused(t, content('{{$x := "aaaaaaaaaa"}}{{range 40}}{{$x = printf "%s%s" $x $x}}{{end}}{{$x}}'), {}, limits);
  t.is(doubling.code, 'CNV_ERR_LIMIT_TEMPLATE_OUTPUT');
  t.regex(doubling.message, /template output per render limit of 4 MiB reached \(raise it with converge server --max-template-output\)/);
  const join = await refused(t, content('{{$x := printf "%100000s" "a"}}{{join $x (split "" $x)}}'), {}, limits);
  t.is(join.code, 'CNV_ERR_LIMIT_TEMPLATE_OUTPUT');
  const padded = await refused(t, content('{{printf "%9000000v" (split "" "abcdefghij")}}'), {}, limits);
  t.is(padded.code, 'CNV_ERR_LIMIT_TEMPLATE_OUTPUT');
  const output = await refused(t, content('{{range 1000}}{{printf "%10000s" "x"}}{{end}}'), {}, { templateOutputBytes: 1024 * 1024 });
  t.is(output.code, 'CNV_ERR_LIMIT_TEMPLATE_OUTPUT');
});

test('modules - a module that includes itself twice is refused at once as a cycle (not 2^64 loads)', async (t) => {
  const started = performance.now();
  const twice = 'module "self.hcl" "a" {}\nmodule "self.hcl" "b" {}\n';
  const error = await refused(t, 'module "self.hcl" "top" {}\n', { 'self.hcl': twice });
  t.is(error.code, 'CNV_ERR_LOAD_MODULE_CYCLE');
  t.regex(error.message, /^self\.hcl:1:1: module "self\.hcl" includes itself: main\.hcl -> self\.hcl -> self\.hcl$/);
  t.true(performance.now() - started < 5000);
  const indirect = await refused(t, 'module "a.hcl" "a" {}\n', {
    'a.hcl': 'module "b.hcl" "b" {}\n',
    'b.hcl': 'module "a.hcl" "a" {}\n',
  });
  t.is(indirect.code, 'CNV_ERR_LOAD_MODULE_CYCLE');
  t.regex(indirect.message, /main\.hcl -> a\.hcl -> b\.hcl -> a\.hcl/);
});

test('modules - the same module included side by side is not a cycle', async (t) => {
  const dir = tempDir(t, {
    'main.hcl': 'module "leaf.hcl" "a" {}\nmodule "leaf.hcl" "b" {}\nmodule "mid.hcl" "c" {}\n',
    'mid.hcl': 'module "leaf.hcl" "d" {}\n',
    'leaf.hcl': 'task.query "q" {\n  query = "true"\n}\n',
  });
  // The identical task.query nodes merge into one (duplicate merging); every module stays.
  const { nodes } = await validateJob({ kind: 'plan', location: 'main.hcl', params: {}, cwd: dir, parallelism: 1 });
  t.is(nodes, 6);
});

test('modules - depth, module count and node count limits name the module call', async (t) => {
  const chain: Record<string, string> = {};
  for (let i = 0; i < 6; i++) chain[`m${i}.hcl`] = `module "m${i + 1}.hcl" "next" {}\n`;
  chain['m6.hcl'] = '';
  const deep = await refused(t, 'module "m0.hcl" "first" {}\n', chain, { moduleDepth: 3 });
  t.is(deep.code, 'CNV_ERR_LIMIT_MODULE_DEPTH');
  t.regex(deep.message, /^m2\.hcl:1:1: module nesting depth limit of 3 reached \(raise it with converge server --max-module-depth\)$/);
  const wide = 'module "leaf.hcl" "a" {}\nmodule "leaf.hcl" "b" {}\nmodule "leaf.hcl" "c" {}\n';
  const many = await refused(t, wide, { 'leaf.hcl': '' }, { modules: 3 });
  t.is(many.code, 'CNV_ERR_LIMIT_MODULES');
  t.regex(many.message, /^main\.hcl:3:1: modules per run limit of 3 reached \(raise it with converge server --max-modules\)$/);
  const nodes = await refused(t, 'param "a" {}\nparam "b" {}\nparam "c" {}\n', {}, { nodes: 3 });
  t.is(nodes.code, 'CNV_ERR_LIMIT_NODES');
  t.regex(nodes.message, /^main\.hcl:3:1: nodes per graph limit of 3 reached \(raise it with converge server --max-nodes\)$/);
});

test('sources - NUL, a malformed URL and a remote file URL are positioned CNV_ERR_LOAD_SOURCE errors', async (t) => {
  const nul = await refused(t, 'module "a\\u0000b" "a" {}\n');
  t.is(nul.code, 'CNV_ERR_LOAD_SOURCE');
  t.regex(nul.message, /^main\.hcl:1:1: module source "a\\u0000b" contains a NUL character$/);
  const url = await refused(t, 'module "http://[::1" "a" {}\n');
  t.is(url.code, 'CNV_ERR_LOAD_SOURCE');
  t.regex(url.message, /^main\.hcl:1:1: module source "http:\/\/\[::1" is not a valid URL$/);
  const remote = await refused(t, 'module "file://host/x.hcl" "a" {}\n');
  t.is(remote.code, 'CNV_ERR_LOAD_SOURCE');
  t.regex(remote.message, /^main\.hcl:1:1: /);
});

test('module size - a local file and a fetched one past --max-module-size are refused before they are read whole, naming the file', async (t) => {
  const big = `# ${'x'.repeat(2 * 1024 * 1024)}\n`;
  const local = await refused(t, 'module "big.hcl" "b" {}\n', { 'big.hcl': big }, { moduleBytes: 1024 * 1024 });
  t.is(local.code, 'CNV_ERR_LIMIT_MODULE_SIZE');
  t.regex(local.message, /^main\.hcl:1:1: file:\/\/.*\/big\.hcl has \d+ bytes: module file size limit of 1 MiB reached \(raise it with converge server --max-module-size\)$/);
  // A remote body with no length announced is cut off as it streams in.
  let sent = 0;
  const server = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    const chunk = `# ${'y'.repeat(64 * 1024)}\n`;
    const more = (): void => {
      while (sent < 64 * 1024 * 1024 && res.write(chunk)) sent += chunk.length;
      if (sent < 64 * 1024 * 1024) res.once('drain', more);
      else res.end();
    };
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.closeAllConnections());
  t.teardown(() => server.close());
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/big.hcl`;
  const remote = await refused(t, `module "${url}" "b" {}\n`, {}, { moduleBytes: 1024 * 1024 });
  t.is(remote.code, 'CNV_ERR_LIMIT_MODULE_SIZE');
  t.regex(remote.message, /big\.hcl is larger than allowed: module file size limit of 1 MiB reached/);
  t.true(sent < 32 * 1024 * 1024, `the server was stopped early (${sent} bytes sent)`);
});
