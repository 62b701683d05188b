import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { runCli, scratchDir, LOCAL } from './run-cli.js';

test('plan, apply, plan - converges two resources and reports it', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const plan = await runCli(['plan', ...LOCAL, 'two.hcl'], dir);
  t.is(plan.code, 0, plan.stderr);
  t.true(plan.stdout.startsWith('\nroot/file.content.greeting:\n'));
  t.regex(plan.stdout, /\n  greeting\.txt: "<file-missing>" => "hello"\n/);
  t.regex(plan.stdout, /\nroot\/task\.copy:\n/);
  t.true(plan.stdout.endsWith('\nSummary: 0 errors, 2 changes\n'));
  t.false(fs.existsSync(path.join(dir, 'greeting.txt')));

  const apply = await runCli(['apply', ...LOCAL, '-p', 'message=hi there', 'two.hcl'], dir);
  t.is(apply.code, 0, apply.stderr);
  t.is(fs.readFileSync(path.join(dir, 'copy.txt'), 'utf8'), 'hi there');
  t.true(apply.stdout.endsWith('\nSummary: 0 errors, 2 changes\n'));

  const again = await runCli(['plan', ...LOCAL, '-p', 'message=hi there', '--only-show-changes', 'two.hcl'], dir);
  t.is(again.code, 0, again.stderr);
  t.is(again.stdout, '\nSummary: 0 errors, 0 changes\n');
});

test('apply - a failing node exits 1, its dependents are listed, independent nodes still run', async (t) => {
  const dir = scratchDir(t, 'failure.hcl');
  const result = await runCli(['apply', ...LOCAL, 'failure.hcl'], dir);
  t.is(result.code, 1);
  t.true(fs.existsSync(path.join(dir, 'independent.txt')));
  t.false(fs.existsSync(path.join(dir, 'dependent.txt')));
  t.regex(result.stdout, /\nErrors:\n \* root\/task\.will-fail: [^\n]+\n\n/);
  t.regex(
    result.stdout,
    /\nFailed due to failing dependency:\n \* root\/task\.dependent: error in dependency "root\/task\.will-fail"\n \* root\/task\.transitive: error in dependency "root\/task\.dependent"\n\n/,
  );
  t.notRegex(result.stdout, /\nroot\/task\.dependent:\n/);
  t.regex(result.stdout, /\n  multi\.txt: \n  before:\n  <file-missing>\n  after:\n  line1\n  line2\n/);
  t.true(result.stdout.endsWith('\nSummary: 1 errors, 2 changes, 2 dependency errors\n'));
});

test('plan - a load error prints nothing on stdout, names file:line:column on stderr, exits 1', async (t) => {
  const dir = scratchDir(t, 'bad-param.hcl');
  const result = await runCli(['plan', ...LOCAL, 'bad-param.hcl'], dir);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  t.regex(result.stderr, /level="FATAL"/);
  t.regex(result.stderr, /bad-param\.hcl:\d+:\d+/);
  t.regex(result.stderr, /nonexistent/);
});

test('plan --paramsJSON - lists reach the module with their type', async (t) => {
  const dir = scratchDir(t, 'lists.hcl');
  const result = await runCli(['apply', ...LOCAL, '--paramsJSON', '{"names":["x","y","z"]}', 'lists.hcl'], dir);
  t.is(result.code, 0, result.stderr);
  t.is(fs.readFileSync(path.join(dir, 'names.txt'), 'utf8'), 'x;y;z;');
});

test('CONVERGE_LOCAL=1 and --show-meta - env turns on local mode; meta blocks appear', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const result = await runCli(['plan', '--nocolor', '--show-meta', 'two.hcl'], dir, {
    CONVERGE_LOCAL: '1',
    CONVERGE_LOCAL_ADDR: '127.0.0.1:0',
  });
  t.is(result.code, 0, result.stderr);
  t.regex(result.stdout, /\nroot\/param\.message:\n Messages:\n/);
  t.regex(result.stdout, /\nroot:\n/);
});

test('healthcheck - exit 0 by default, 3 with --fail-unhealthy, and the summary counts failures', async (t) => {
  const dir = scratchDir(t, 'health.hcl');
  const plain = await runCli(['healthcheck', ...LOCAL, 'health.hcl'], dir);
  t.is(plain.code, 0, plain.stderr);
  // The failing check counts as an error or a warning (the engine's call), never as nothing, as the original's did.
  t.regex(plain.stdout, /\nSummary: (1 errors, 0 warnings|0 errors, 1 warnings)\n0 checks will fail due to failing dependencies\n$/);
  const strict = await runCli(['healthcheck', ...LOCAL, '--fail-unhealthy', 'health.hcl'], dir);
  t.is(strict.code, 3);
});

test('healthcheck --quiet - one line per unhealthy node, no blank lines between, no "0 failing", "1 check" singular', async (t) => {
  const dir = scratchDir(t, 'health-deps.hcl');
  const result = await runCli(['healthcheck', ...LOCAL, '--quiet', 'health-deps.hcl'], dir);
  t.is(result.code, 0, result.stderr);
  t.regex(
    result.stdout,
    /^\nroot\/healthcheck\.task\.after: Status: (warning|error); 1 failing dependency\nroot\/healthcheck\.task\.sick: Status: (warning|error)\n\nSummary: /,
  );
  t.true(result.stdout.endsWith('\n1 check will fail due to failing dependencies\n'), result.stdout);
  t.notRegex(result.stdout, /0 failing dependencies|\n\n\n/);
});

test('graph - prints dot with clusters and edges from dependency to dependent', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const result = await runCli(['graph', ...LOCAL, 'two.hcl'], dir);
  t.is(result.code, 0, result.stderr);
  t.true(result.stdout.startsWith('digraph {\n\nsubgraph cluster_0 {\n'));
  t.regex(result.stdout, /\n"root\/file\.content\.greeting" -> "root\/task\.copy" \[ label="" \];\n/);
  t.notRegex(result.stdout, /param\.message/);
  const withParams = await runCli(['graph', ...LOCAL, '--show-params', 'two.hcl'], dir);
  t.regex(withParams.stdout, /"root\/param\.message" \[/);
});

test('plan - file.mode of a file its dependency creates is a change with a warning, exit 0; apply sets it', async (t) => {
  const dir = scratchDir(t);
  fs.writeFileSync(
    path.join(dir, 'fm.hcl'),
    'file.content "created" {\n  destination = "created.txt"\n  content = "made in this run"\n}\n\n' +
      'file.mode "created" {\n  destination = "created.txt"\n  mode = 0600\n  depends = ["file.content.created"]\n}\n',
  );
  const plan = await runCli(['plan', ...LOCAL, 'fm.hcl'], dir);
  t.is(plan.code, 0, plan.stderr);
  t.regex(plan.stdout, /\nroot\/file\.mode\.created:\n Warning: "created\.txt" does not exist\n/);
  t.regex(plan.stdout, /\n  created\.txt: "----------" => "-rw-------"\n/);
  t.true(plan.stdout.endsWith('\nSummary: 0 errors, 2 changes\n'));
  const apply = await runCli(['apply', ...LOCAL, 'fm.hcl'], dir);
  t.is(apply.code, 0, apply.stderr);
  t.is(fs.statSync(path.join(dir, 'created.txt')).mode & 0o777, 0o600);
});
