/**
 * package.apt for real: installs and purges small Debian packages this machine lacks (GNU hello, sl),
 * through the real dpkg-query and apt-get. A recording wrapper in front of apt-get (it logs, then runs
 * the real one) shows how many transactions a group took. Whatever the outcome, teardown puts each
 * package back in the state it was found in.
 */
import test from 'ava';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { packageApt } from '../../../src/resources/package/apt.js';
import { StatusLevel } from '../../../src/resources/types.js';
import { prepare, runContext } from '../system-helpers.js';

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

/** Puts a logging apt-get first on PATH for this test file (the real one still does the work). */
function recordAptGet(dir: string): () => string[] {
  const log = path.join(dir, 'calls.log');
  fs.writeFileSync(log, '');
  fs.writeFileSync(path.join(dir, 'apt-get'), `#!/bin/sh\necho "$*" >> '${log}'\nexec /usr/bin/apt-get "$@"\n`, { mode: 0o755 });
  process.env['PATH'] = `${dir}:${process.env['PATH'] ?? ''}`;
  return () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
}

// Each transaction downloads from the Debian mirrors and can take a minute on a loaded machine. ava's
// timeout resets on every finished test, so every test below runs at most one apt transaction.
process.env['CONVERGE_PACKAGE_BATCH_WINDOW_MS'] = '1500';
const NAMES = ['hello', 'sl'];
const found = new Map<string, boolean>();
let calls: () => string[] = () => [];

const wrapperDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cnv-apt-'));

test.before(() => {
  ensureCandidates(NAMES);
  for (const name of NAMES) found.set(name, isInstalled(name));
  calls = recordAptGet(wrapperDir);
});

// Puts each package back the way it was found, whatever the tests did.
test.after.always(() => {
  fs.rmSync(wrapperDir, { recursive: true, force: true });
  for (const [name, was] of found) {
    if (isInstalled(name) !== was) {
      spawnSync('apt-get', [was ? 'install' : 'purge', '-y', name], { stdio: 'ignore', timeout: 180_000, env: APT_ENV });
    }
  }
});

test.serial('start from absent: packages found installed are purged first', async (t) => {
  t.timeout(240_000);
  const present = NAMES.filter(isInstalled);
  if (present.length > 0) spawnSync('apt-get', ['purge', '-y', ...present], { stdio: 'ignore', env: APT_ENV });
  t.false(NAMES.some(isInstalled));
});

test.serial('installs hello; a second plan shows no change', async (t) => {
  t.timeout(240_000);
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
  t.true(calls().some((c) => /(^| )install -y -- hello$/.test(c)), calls().join('\n'));
});

test.serial('purges hello; a second plan shows no change', async (t) => {
  t.timeout(240_000);
  const absent = await prepare(packageApt, { name: 'hello', state: 'absent' });
  t.deepEqual((await absent.check(ctx)).diffs, { hello: { original: 'present', current: 'absent', changes: true } });
  const purged = await absent.apply(ctx);
  t.is(purged.error, undefined, purged.messages.join('\n'));
  t.is(purged.messages[0], 'removed hello');
  t.false(isInstalled('hello'));
  t.is((await absent.check(ctx)).level, StatusLevel.NoChange);
  t.true(calls().some((c) => /(^| )purge -y -- hello$/.test(c)), calls().join('\n'));
});

test.serial('hello and sl in one group are installed in one apt-get transaction', async (t) => {
  t.timeout(240_000);
  const before = calls().length;
  const tasks = await Promise.all(NAMES.map((name) => prepare(packageApt, { name }, { id: `root/package.apt.${name}`, group: 'apt' })));
  const results = await Promise.all(tasks.map((task) => task.apply(ctx)));
  for (const result of results) t.is(result.error, undefined, result.messages.join('\n'));
  t.true(NAMES.every(isInstalled));
  const made = calls().slice(before);
  t.is(made.length, 1, made.join('\n'));
  t.deepEqual(made[0]?.split(' -- ')[1]?.split(' ').sort(), NAMES);
  for (const task of tasks) t.is((await task.check(ctx)).level, StatusLevel.NoChange);
});

test.serial('and purged in another', async (t) => {
  t.timeout(240_000);
  const before = calls().length;
  const tasks = await Promise.all(NAMES.map((name) => prepare(packageApt, { name, state: 'absent' }, { group: 'apt' })));
  await Promise.all(tasks.map((task) => task.apply(ctx)));
  t.false(NAMES.some(isInstalled));
  const made = calls().slice(before);
  t.is(made.length, 1, made.join('\n'));
  t.regex(made[0] ?? '', / purge -y -- /);
  for (const task of tasks) t.is((await task.check(ctx)).level, StatusLevel.NoChange);
});

test.serial("an unknown package fails with apt-get's reason", async (t) => {
  t.timeout(120_000);
  const task = await prepare(packageApt, { name: 'converge-no-such-package-xyz' });
  const result = await task.apply(ctx);
  t.is(result.level, StatusLevel.Fatal);
  t.regex(result.error ?? '', /^apt-get exited with status 100: .*Unable to locate package converge-no-such-package-xyz/s);
});
