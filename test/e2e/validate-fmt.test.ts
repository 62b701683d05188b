import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { runCli, scratchDir } from './run-cli.js';

test('validate - accepts a good module and rejects an unknown field with a suggestion', async (t) => {
  const dir = scratchDir(t, 'two.hcl', 'typo.hcl');
  const good = await runCli(['validate', '--nocolor', 'two.hcl'], dir);
  t.is(good.code, 0, good.stderr);
  t.regex(good.stderr, /module valid/);
  const bad = await runCli(['validate', '--nocolor', 'typo.hcl'], dir);
  t.is(bad.code, 1);
  t.regex(bad.stderr, /destinaton/);
  t.regex(bad.stderr, /Maybe you meant: destination/);
});

test('validate - a missing required param fails (the original let it pass)', async (t) => {
  const dir = scratchDir(t);
  fs.writeFileSync(path.join(dir, 'required.hcl'), 'param "test" {}\n\ntask "t" {\n  check = "echo {{param `test`}}"\n  apply = "true"\n}\n');
  const result = await runCli(['validate', 'required.hcl'], dir);
  t.is(result.code, 1);
  t.regex(result.stderr, /test param is required/);
  const given = await runCli(['validate', '-p', 'test=1', 'required.hcl'], dir);
  t.is(given.code, 0, given.stderr);
});

test('fmt --check - exits 1 and writes nothing; fmt rewrites keeping the mode', async (t) => {
  const dir = scratchDir(t, 'unformatted.hcl');
  const file = path.join(dir, 'unformatted.hcl');
  fs.chmodSync(file, 0o640);
  const before = fs.readFileSync(file, 'utf8');
  const check = await runCli(['fmt', '--check', 'unformatted.hcl'], dir);
  t.is(check.code, 1);
  // Not a FATAL failure: the files are listed on stdout, and stderr says what to do.
  t.is(check.stdout, 'unformatted.hcl\n');
  t.regex(check.stderr, /level="INFO" msg="1 file needs formatting/);
  t.notRegex(check.stderr, /FATAL|ERROR/);
  t.is(fs.readFileSync(file, 'utf8'), before);
  const fmt = await runCli(['fmt', 'unformatted.hcl'], dir);
  t.is(fmt.code, 0, fmt.stderr);
  t.not(fs.readFileSync(file, 'utf8'), before);
  t.is(fs.statSync(file).mode & 0o777, 0o640);
  const recheck = await runCli(['fmt', '--check', 'unformatted.hcl'], dir);
  t.is(recheck.code, 0, recheck.stderr);
});

test('fmt - - reads stdin and writes the formatted module to stdout; fmt --diff prints a unified diff', async (t) => {
  const dir = scratchDir(t, 'unformatted.hcl');
  const file = path.join(dir, 'unformatted.hcl');
  const before = fs.readFileSync(file, 'utf8');
  const piped = await runCli(['fmt', '-'], dir, {}, before);
  t.is(piped.code, 0, piped.stderr);
  t.is(piped.stdout, 'task "a" {\n  check = "true"\n  apply = "true"\n}\n');
  const clean = await runCli(['fmt', '--check', '-'], dir, {}, piped.stdout);
  t.is(clean.code, 0, clean.stderr);
  t.is(clean.stdout, '');
  const broken = await runCli(['fmt', '-'], dir, {}, 'task "x" {\n');
  t.is(broken.code, 1);
  t.regex(broken.stderr, /<stdin>:2:1: expected \\?"}/);

  const diff = await runCli(['fmt', '--diff', 'unformatted.hcl'], dir);
  t.is(diff.code, 0, diff.stderr);
  t.is(
    diff.stdout,
    '--- unformatted.hcl\n+++ unformatted.hcl (formatted)\n@@ -1,4 +1,4 @@\n task "a" {\n-check="true"\n-    apply =   "true"\n+  check = "true"\n+  apply = "true"\n }\n',
  );
  t.is(fs.readFileSync(file, 'utf8'), before, '--diff writes nothing');
  const both = await runCli(['fmt', '--diff', '--check', 'unformatted.hcl'], dir);
  t.is(both.code, 1);
  t.true(both.stdout.startsWith('--- unformatted.hcl\n'));
});
