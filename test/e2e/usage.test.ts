import test from 'ava';
import { runCli, scratchDir, LOCAL } from './run-cli.js';
import { VERSION } from '../../src/cli/version.js';

test('converge version - prints the version', async (t) => {
  const result = await runCli(['version'], scratchDir(t));
  t.is(result.code, 0);
  t.is(result.stdout, `converge ${VERSION}\n`);
});

test('converge - usage errors exit 255 with a clear message', async (t) => {
  const dir = scratchDir(t);
  const unknown = await runCli(['frobnicate'], dir);
  t.is(unknown.code, 255);
  t.regex(unknown.stderr, /unknown command "frobnicate"/);
  const noModule = await runCli(['plan', '--local'], dir);
  t.is(noModule.code, 255);
  t.regex(noModule.stderr, /Need at least one module filename as argument, got 0/);
  const badFlag = await runCli(['plan', '--bogus', 'x.hcl'], dir);
  t.is(badFlag.code, 255);
  t.regex(badFlag.stderr, /unknown flag: --bogus/);
  const badLevel = await runCli(['plan', '-l', 'loud', 'x.hcl'], dir);
  t.is(badLevel.code, 255);
  t.is(badLevel.stdout, '');
});

test('converge alone prints help and exits 0 (as the original); converge --version works', async (t) => {
  const dir = scratchDir(t);
  const bare = await runCli([], dir);
  t.is(bare.code, 0, bare.stderr);
  t.regex(bare.stdout, /^Converge: /);
  t.regex(bare.stdout, /module paths resolve on the server/);
  const version = await runCli(['--version'], dir);
  t.is(version.code, 0, version.stderr);
  t.is(version.stdout, `converge ${VERSION}\n`);
  const before = await runCli(['-l', 'error', 'version'], dir);
  t.is(before.code, 0, before.stderr);
  t.is(before.stdout, `converge ${VERSION}\n`);
});

test('<command> --help - every command shows examples and exit codes; job commands say paths resolve on the server', async (t) => {
  const dir = scratchDir(t);
  const names = ['plan', 'apply', 'healthcheck', 'graph', 'validate', 'fmt', 'server', 'ping', 'version'];
  const results = await Promise.all(names.map((name) => runCli([name, '--help'], dir)));
  names.forEach((name, i) => {
    const help = results[i]!;
    t.is(help.code, 0, `${name}: ${help.stderr}`);
    t.regex(help.stdout, /\nExamples:\n  converge /, name);
    t.regex(help.stdout, /\nExit codes:\n  0  /, name);
    if (['plan', 'apply', 'healthcheck', 'graph'].includes(name)) t.regex(help.stdout, /resolve on the server/, name);
  });
  t.regex(results[2]!.stdout, /\n  3  a check is not healthy and --fail-unhealthy is set\n/);
});

test('converge --help and <command> --help - exit 0 and list flags', async (t) => {
  const dir = scratchDir(t);
  const root = await runCli(['--help'], dir);
  t.is(root.code, 0);
  t.regex(root.stdout, /healthcheck/);
  const plan = await runCli(['plan', '--help'], dir);
  t.is(plan.code, 0);
  t.regex(plan.stdout, /--only-show-changes/);
  t.regex(plan.stdout, /--local-addr host:port/);
});

test('converge plan - malformed and duplicate params fail with exit 1 before anything runs', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const result = await runCli(['plan', ...LOCAL, '-p', 'message=a,message=b', '-p', 'oops', 'two.hcl'], dir);
  t.is(result.code, 1);
  t.is(result.stdout, '');
  t.regex(result.stderr, /duplicate entry: found message=a and message=b/);
  t.regex(result.stderr, /malformed parameter: oops/);
});

test('converge plan --verify-modules - refused clearly', async (t) => {
  const dir = scratchDir(t, 'two.hcl');
  const result = await runCli(['plan', ...LOCAL, '--verify-modules', 'two.hcl'], dir);
  t.is(result.code, 255);
  t.regex(result.stderr, /--verify-modules is not supported/);
});
