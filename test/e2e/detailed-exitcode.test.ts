import test from 'ava';
import { LOCAL, runCli, scratchDir } from './run-cli.js';

test('plan --detailed-exitcode - 2 with changes pending, 0 once applied, 1 on error', async (t) => {
  const dir = scratchDir(t, 'two.hcl', 'bad-param.hcl');
  const pending = await runCli(['plan', ...LOCAL, '--detailed-exitcode', 'two.hcl'], dir);
  t.is(pending.code, 2, pending.stderr);
  t.true(pending.stdout.endsWith('\nSummary: 0 errors, 2 changes\n'));
  const plain = await runCli(['plan', ...LOCAL, 'two.hcl'], dir);
  t.is(plain.code, 0, 'without the flag a plan with changes still exits 0');

  const apply = await runCli(['apply', ...LOCAL, 'two.hcl'], dir);
  t.is(apply.code, 0, apply.stderr);
  const clean = await runCli(['plan', ...LOCAL, '--detailed-exitcode', '-o', 'json', 'two.hcl'], dir);
  t.is(clean.code, 0, clean.stderr);
  t.regex(clean.stdout, /"type":"summary","command":"plan","file":"two.hcl","ok":true,"nodes":4,"errors":0,"changes":0/);

  const broken = await runCli(['plan', ...LOCAL, '--detailed-exitcode', 'two.hcl', 'bad-param.hcl'], dir);
  t.is(broken.code, 1, 'an error beats no changes');
});

test('plan --detailed-exitcode - a node error exits 1, not 2', async (t) => {
  const dir = scratchDir(t, 'failure.hcl');
  // A directory where the file should be makes the file.content check fail.
  const { mkdirSync } = await import('node:fs');
  mkdirSync(`${dir}/multi.txt`);
  const result = await runCli(['plan', ...LOCAL, '--detailed-exitcode', 'failure.hcl'], dir);
  t.is(result.code, 1, result.stdout);
  t.regex(result.stdout, /\nErrors:\n \* root\/file\.content\.multi: /);
});

test('healthcheck --detailed-exitcode - 3 when a check fails, 0 when all are healthy', async (t) => {
  const dir = scratchDir(t, 'health.hcl', 'two.hcl');
  const sick = await runCli(['healthcheck', ...LOCAL, '--detailed-exitcode', 'health.hcl'], dir);
  t.is(sick.code, 3, sick.stderr);
  t.is((await runCli(['apply', ...LOCAL, 'two.hcl'], dir)).code, 0);
  const healthy = await runCli(['healthcheck', ...LOCAL, '--detailed-exitcode', 'two.hcl'], dir);
  t.is(healthy.code, 0, healthy.stdout);
});
