/**
 * package.rpm against recording fakes of rpm and yum put first on PATH (this machine has no rpm
 * system). The fakes keep an installed-names list and log every call, so the tests see the exact
 * commands and how many transactions ran.
 */
import test from 'ava';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BatchableTask } from '../../../src/resources/package/batch.js';
import { packageRpm } from '../../../src/resources/package/rpm.js';
import { StatusLevel, type Task } from '../../../src/resources/types.js';
import { FIXTURES, prepare, runContext } from '../system-helpers.js';

const state = fs.mkdtempSync(path.join(os.tmpdir(), 'cnv-rpm-'));
const DB = path.join(state, 'installed');
const LOG = path.join(state, 'calls.log');
process.env['PATH'] = `${path.join(FIXTURES, 'fake-rpm')}:${process.env['PATH'] ?? ''}`;
process.env['FAKE_RPM_DB'] = DB;
process.env['FAKE_RPM_LOG'] = LOG;
// Wide enough that the nodes of a group meet even on a loaded machine; only batching tests wait on it.
process.env['CONVERGE_PACKAGE_BATCH_WINDOW_MS'] = '1500';
test.after.always(() => fs.rmSync(state, { recursive: true, force: true }));
test.beforeEach(() => {
  fs.writeFileSync(DB, '');
  fs.writeFileSync(LOG, '');
});

const ctx = runContext();
const calls = (program: string): string[] =>
  fs.readFileSync(LOG, 'utf8').split('\n').filter((l) => l.startsWith(`${program} `));
const installed = (): string[] => fs.readFileSync(DB, 'utf8').split('\n').filter(Boolean);

test.serial('installs a missing package with yum; a second plan shows no change', async (t) => {
  const task = await prepare(packageRpm, { name: 'nginx' });
  const plan = await task.check(ctx);
  t.is(plan.level, StatusLevel.WillChange);
  t.deepEqual(plan.diffs, { nginx: { original: 'absent', current: 'present', changes: true } });
  t.deepEqual(calls('rpm'), ['rpm -q -- nginx']);
  t.deepEqual(calls('yum'), []);

  const applied = await task.apply(ctx);
  t.is(applied.error, undefined);
  t.is(applied.messages[0], 'installed nginx');
  t.regex(applied.messages[1] ?? '', /Installed: nginx/);
  t.deepEqual(calls('yum'), ['yum install -y nginx']);
  t.deepEqual(installed(), ['nginx']);
  t.is((await task.check(ctx)).level, StatusLevel.NoChange);
  t.deepEqual(task.exported(), { name: 'nginx', state: 'present' });
});

test.serial('removes an installed package; an absent package is no change', async (t) => {
  fs.writeFileSync(DB, 'httpd\n');
  const task = await prepare(packageRpm, { name: 'httpd', state: 'absent' });
  t.deepEqual((await task.check(ctx)).diffs, { httpd: { original: 'present', current: 'absent', changes: true } });
  const applied = await task.apply(ctx);
  t.is(applied.messages[0], 'removed httpd');
  t.deepEqual(calls('yum'), ['yum remove -y httpd']);
  t.deepEqual(installed(), []);
  t.is((await task.check(ctx)).level, StatusLevel.NoChange);
  t.is((await task.apply(ctx)).level, StatusLevel.NoChange);
  t.deepEqual(calls('yum'), ['yum remove -y httpd'], 'nothing to do means no yum call');
});

test.serial('package nodes of one group that are ready together share one yum transaction', async (t) => {
  const names = ['vim', 'git', 'tmux'];
  const tasks: Task[] = [];
  for (const name of names) tasks.push(await prepare(packageRpm, { name }, { id: `root/package.rpm.${name}`, group: 'tools' }));
  const loner = await prepare(packageRpm, { name: 'jq' }, { id: 'root/package.rpm.jq' });
  t.is((tasks[0] as unknown as BatchableTask).batchKey, 'rpm:tools');
  t.is((tasks[1] as unknown as BatchableTask).batchKey, 'rpm:tools');
  t.not((loner as unknown as BatchableTask).batchKey, 'rpm:tools');

  const results = await Promise.all([...tasks, loner].map((task) => task.apply(ctx)));
  for (const result of results) t.is(result.error, undefined);
  // One transaction for the group (in the order the nodes got there) and one for the loner.
  const yum = calls('yum').map((line) => line.split(' ').slice(3).sort().join(' ')).sort();
  t.deepEqual(yum, ['git tmux vim', 'jq']);
  t.deepEqual(installed().sort(), ['git', 'jq', 'tmux', 'vim']);
  for (const task of [...tasks, loner]) t.is((await task.check(ctx)).level, StatusLevel.NoChange);
});

test.serial('a failing batch is retried package by package, so only the broken node fails', async (t) => {
  const good = await prepare(packageRpm, { name: 'curl' }, { id: 'root/package.rpm.curl', group: 'g' });
  const broken = await prepare(packageRpm, { name: 'broken-pkg' }, { id: 'root/package.rpm.broken', group: 'g' });
  const [ok, failed] = await Promise.all([good.apply(ctx), broken.apply(ctx)]);
  t.is(ok?.error, undefined);
  t.is(failed?.level, StatusLevel.Fatal);
  t.is(failed?.error, 'yum exited with status 1: No match for argument: broken-pkg\nError: Unable to find a match');
  const [together, ...alone] = calls('yum');
  t.deepEqual(together?.split(' ').slice(3).sort(), ['broken-pkg', 'curl']);
  t.deepEqual(alone.sort(), ['yum install -y broken-pkg', 'yum install -y curl']);
  t.deepEqual(installed(), ['curl']);
});

test.serial('installs and removals in one group run as separate transactions', async (t) => {
  fs.writeFileSync(DB, 'old\n');
  const add = await prepare(packageRpm, { name: 'new' }, { group: 'g' });
  const remove = await prepare(packageRpm, { name: 'old', state: 'absent' }, { group: 'g' });
  await Promise.all([add.apply(ctx), remove.apply(ctx)]);
  t.deepEqual(calls('yum').sort(), ['yum install -y new', 'yum remove -y old']);
  t.deepEqual(installed(), ['new']);
});
