/**
 * package.apt for real: installs and purges small Debian packages this machine lacks (GNU hello, sl),
 * through the real dpkg-query and apt-get. A recording wrapper in front of apt-get (it logs, then runs
 * the real one) shows how many transactions a group took. Whatever the outcome, teardown puts each
 * package back in the state it was found in.
 */
import test, { type ExecutionContext } from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { packageApt } from '../../../src/resources/package-apt.js';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare, runContext, tempDir } from './helpers.js';

const ctx = runContext();
const APT_ENV = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };

function isInstalled(name: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', name], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.includes('ok installed');
}

/** Refreshes the package lists only when apt knows no candidate for a package (a fresh machine). */
function ensureCandidates(names: string[]): void {
  const missing = names.some((name) => {
    const r = spawnSync('apt-cache', ['policy', name], { encoding: 'utf8' });
    return !/Candidate: (?!\(none\))/.test(r.stdout);
  });
  if (missing) spawnSync('apt-get', ['update'], { stdio: 'ignore', timeout: 180_000, env: APT_ENV });
}

function restoreAtTeardown(t: ExecutionContext, names: string[]): void {
  const before = new Map(names.map((n) => [n, isInstalled(n)]));
  t.teardown(() => {
    for (const [name, was] of before) {
      if (isInstalled(name) !== was) {
        spawnSync('apt-get', [was ? 'install' : 'purge', '-y', name], { stdio: 'ignore', timeout: 180_000, env: APT_ENV });
      }
    }
  });
}

/** Puts a logging apt-get first on PATH for this test file (the real one still does the work). */
function recordAptGet(t: ExecutionContext): () => string[] {
  const dir = tempDir(t, 'cnv-apt-');
  const log = path.join(dir, 'calls.log');
  fs.writeFileSync(log, '');
  fs.writeFileSync(path.join(dir, 'apt-get'), `#!/bin/sh\necho "$*" >> '${log}'\nexec /usr/bin/apt-get "$@"\n`, { mode: 0o755 });
  const oldPath = process.env['PATH'];
  process.env['PATH'] = `${dir}:${oldPath ?? ''}`;
  t.teardown(() => {
    process.env['PATH'] = oldPath;
  });
  return () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

// Each transaction downloads from the Debian mirrors; bound the whole file, not each step.
process.env['CONVERGE_PACKAGE_BATCH_WINDOW_MS'] = '1500';

test.serial('installs hello, converges, purges it, converges', async (t) => {
  t.timeout(300_000);
  ensureCandidates(['hello']);
  restoreAtTeardown(t, ['hello']);
  const calls = recordAptGet(t);
  // Start from absent so that both directions are exercised whatever state the machine was in.
  if (isInstalled('hello')) await (await prepare(packageApt, { name: 'hello', state: 'absent' })).apply(ctx);

  const present = await prepare(packageApt, { name: 'hello' });
  const plan = await present.check(ctx);
  t.is(plan.level, StatusLevel.WillChange);
  t.deepEqual(plan.diffs, { hello: { original: 'absent', current: 'present', changes: true } });
  t.false(isInstalled('hello'), 'check must not install');

  const applied = await present.apply(ctx);
  t.is(applied.error, undefined, applied.messages.join('\n'));
  t.is(applied.messages[0], 'installed hello');
  t.true(isInstalled('hello'));
  t.is(spawnSync('hello', [], { encoding: 'utf8' }).stdout, 'Hello, world!\n');
  t.is((await present.check(ctx)).level, StatusLevel.NoChange);
  t.is((await (await prepare(packageApt, { name: 'hello' })).check(ctx)).level, StatusLevel.NoChange);

  const absent = await prepare(packageApt, { name: 'hello', state: 'absent' });
  t.deepEqual((await absent.check(ctx)).diffs, { hello: { original: 'present', current: 'absent', changes: true } });
  const purged = await absent.apply(ctx);
  t.is(purged.error, undefined, purged.messages.join('\n'));
  t.is(purged.messages[0], 'removed hello');
  t.false(isInstalled('hello'));
  t.is((await absent.check(ctx)).level, StatusLevel.NoChange);
  t.true(calls().some((c) => /(^| )install -y -- hello$/.test(c)), calls().join('\n'));
  t.true(calls().some((c) => /(^| )purge -y -- hello$/.test(c)), calls().join('\n'));
});

test.serial('hello and sl in one group are installed in one apt-get transaction and purged in another', async (t) => {
  t.timeout(300_000);
  const names = ['hello', 'sl'];
  ensureCandidates(names);
  restoreAtTeardown(t, names);
  for (const name of names) if (isInstalled(name)) await (await prepare(packageApt, { name, state: 'absent' })).apply(ctx);
  const calls = recordAptGet(t);

  const install = await Promise.all(names.map((name) => prepare(packageApt, { name }, { id: `root/package.apt.${name}`, group: 'apt' })));
  const installed = await Promise.all(install.map((task) => task.apply(ctx)));
  for (const result of installed) t.is(result.error, undefined, result.messages.join('\n'));
  t.true(names.every(isInstalled));
  const installCalls = calls().filter((c) => c.includes(' install '));
  t.is(installCalls.length, 1, installCalls.join('\n'));
  t.deepEqual(installCalls[0]?.split(' -- ')[1]?.split(' ').sort(), names);

  const purge = await Promise.all(names.map((name) => prepare(packageApt, { name, state: 'absent' }, { group: 'apt' })));
  await Promise.all(purge.map((task) => task.apply(ctx)));
  t.false(names.some(isInstalled));
  t.is(calls().filter((c) => c.includes(' purge ')).length, 1, calls().join('\n'));
  for (const task of [...install, ...purge]) t.not((await task.check(ctx)).level, StatusLevel.Fatal);
});

test.serial('an unknown package fails with apt-get\'s reason', async (t) => {
  t.timeout(120_000);
  const task = await prepare(packageApt, { name: 'converge-no-such-package-xyz' });
  const result = await task.apply(ctx);
  t.is(result.level, StatusLevel.Fatal);
  t.regex(result.error ?? '', /^apt-get exited with status 100: .*Unable to locate package converge-no-such-package-xyz/s);
});
