import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ConvergeError } from '../../../src/errors.js';
import { getResource } from '../../../src/resources/index.js';
import { StatusLevel } from '../../../src/resources/types.js';
import { appears, prepare, runContext, tempDir, processGone } from '../helpers.js';

test('check, apply, check converges with the original message format', async (t) => {
  const dir = tempDir(t);
  const ctx = runContext(dir);
  const fields = {
    check: "cat test.txt | tee /dev/stderr | grep -q 'Hello'",
    apply: "echo 'Hello' > test.txt",
  };
  const task = await prepare('task', fields, dir);
  const planned = await task.check(ctx);
  t.is(planned.level, StatusLevel.WillChange);
  t.deepEqual(planned.messages, ['check (returned: 1)\n\t\n\tcat: test.txt: No such file or directory\n']);
  const applied = await task.apply(ctx);
  t.deepEqual(applied.messages, [
    'check (returned: 1)\n\t\n\tcat: test.txt: No such file or directory\n',
    'apply (returned: 0)\n\t\n\t',
  ]);
  t.is((await task.check(ctx)).level, StatusLevel.NoChange);
  t.is(fs.readFileSync(path.join(dir, 'test.txt'), 'utf8'), 'Hello\n');

  const fresh = await prepare('task', fields, dir);
  const again = await fresh.check(ctx);
  t.is(again.level, StatusLevel.NoChange);
  t.deepEqual(again.messages, ['check (returned: 0)\n\t\n\tHello\n']);
});

test('after apply the status follows the apply exit status, as in the original', async (t) => {
  const dir = tempDir(t);
  const ctx = runContext(dir);
  const ok = await prepare('task', { check: 'exit 1', apply: 'true' }, dir);
  await ok.check(ctx);
  await ok.apply(ctx);
  t.is((await ok.check(ctx)).level, StatusLevel.NoChange);
  const failing = await prepare('task', { check: 'exit 1', apply: 'echo trying; exit 3' }, dir);
  await failing.check(ctx);
  const applied = await failing.apply(ctx);
  t.is(applied.messages[1], 'apply (returned: 3)\n\ttrying\n\n\t');
  t.is((await failing.check(ctx)).level, StatusLevel.WillChange);
});

test('exported values use lowercase names', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('task', { check: 'echo out; echo err >&2; exit 2', apply: 'echo done', env: { A: '1' } }, dir);
  await task.check(runContext(dir));
  t.deepEqual(task.exported(), {
    check: 'echo out; echo err >&2; exit 2',
    apply: 'echo done',
    dir: '',
    env: ['A=1'],
    status: { exitstatus: 2, stdout: 'out\n', stderr: 'err\n', stdin: 'echo out; echo err >&2; exit 2' },
    checkstatus: { exitstatus: 2, stdout: 'out\n', stderr: 'err\n', stdin: 'echo out; echo err >&2; exit 2' },
    healthstatus: '',
  });
  await task.apply(runContext(dir));
  t.like(task.exported(), { status: { exitstatus: 0, stdout: 'done\n' }, checkstatus: { exitstatus: 2 } });
});

test('dir and env: messages first, env merged over the process environment', async (t) => {
  const dir = tempDir(t);
  fs.mkdirSync(path.join(dir, 'work'));
  const task = await prepare('task', { check: 'pwd; echo "$ROLE:$ADDRESS"; ls / >/dev/null && exit 1', apply: 'true', dir: 'work', env: [{ ROLE: 'test', ADDRESS: ':4001' }] }, dir);
  const status = await task.check(runContext(dir));
  t.deepEqual(status.messages, [
    'dir (work)',
    'env (ROLE=test ADDRESS=:4001)',
    `check (returned: 1)\n\t${fs.realpathSync(path.join(dir, 'work'))}\ntest::4001\n\n\t`,
  ]);
});

test('a missing dir gives exit 1 with the error on stdout', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('task', { check: 'true', apply: 'true', dir: 'working' }, dir);
  const status = await task.check(runContext(dir));
  t.deepEqual(status.messages, ['dir (working)', 'check (returned: 1)\n\tstat working: no such file or directory\n\t']);
});

test('a timeout fails with "execution timed out" and kills the whole process group', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('task', { check: 'sleep 30 & echo $! > child.pid; wait', apply: 'true', timeout: '300ms' }, dir);
  const status = await task.check(runContext(dir));
  t.is(status.level, StatusLevel.Fatal);
  t.is(status.error, 'execution timed out');
  const pid = Number(fs.readFileSync(path.join(dir, 'child.pid'), 'utf8'));
  t.true(await processGone(pid));
});

test('an abort cancels a running script and kills it', async (t) => {
  const dir = tempDir(t);
  const controller = new AbortController();
  const task = await prepare('task', { check: 'sleep 30 & echo $! > child.pid; wait', apply: 'true' }, dir);
  const running = task.check(runContext(dir, controller.signal));
  await appears(dir, 'child.pid');
  controller.abort();
  const error = await t.throwsAsync(running, { instanceOf: ConvergeError });
  t.is((error as ConvergeError).code, 'CNV_ERR_JOB_CANCELLED');
  const pid = Number(fs.readFileSync(path.join(dir, 'child.pid'), 'utf8'));
  t.true(await processGone(pid));
});

test('scripts go to stdin; exec_flags are argv of the interpreter', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('task', { check: 'echo "$1-$2"; exit 1', apply: 'true', exec_flags: ['-s', 'a', 'b'] }, dir);
  t.deepEqual((await task.check(runContext(dir))).messages, ['check (returned: 1)\n\ta-b\n\n\t']);
  const bash = await prepare('task', { interpreter: '/bin/bash', check: '[[ -d / ]]', apply: 'true' }, dir);
  t.is((await bash.check(runContext(dir))).level, StatusLevel.NoChange);
});

test('the check script is syntax-checked at prepare time', async (t) => {
  const dir = tempDir(t);
  const def = getResource('task');
  t.truthy(def);
  const bad = await t.throwsAsync(prepare('task', { check: 'if then', apply: 'true' }, dir), { instanceOf: ConvergeError });
  t.is((bad as ConvergeError).code, 'CNV_ERR_FIELD_INVALID');
  t.regex(bad?.message ?? '', /^syntax error: Command Stderr:\n.*Syntax error.*\n: exit status 2$/s);
  const flags = await t.throwsAsync(prepare('task', { check: 'true', check_flags: ['-n'] }, dir));
  t.is(flags?.message, 'custom syntax check_flags given without an interpreter');
  // An interpreter without check_flags skips the check.
  await t.notThrowsAsync(prepare('task', { interpreter: '/bin/sh', check: 'if then' }, dir));
  await t.throwsAsync(prepare('task', { interpreter: '/bin/bash', check_flags: ['-n'], check: 'if then' }, dir), {
    message: /^syntax error/,
  });
  // Results are remembered per interpreter, flags and script: the same text answers the same way.
  const again = await t.throwsAsync(prepare('task', { check: 'if then', apply: 'true' }, dir));
  t.is(again?.message, bad?.message);
  await t.notThrowsAsync(prepare('task', { check: 'if true; then :; fi' }, dir));
});

test('health: exit 0 healthy, 1 warning, anything else error, with the original messages', async (t) => {
  const dir = tempDir(t);
  const cases = [
    ['exit 0', 'healthy', []],
    ['exit 1', 'warning', ['Check returned 2', 'Check indicates changes are required']],
    ['[[ -f foo.txt ]]', 'error', ['Check returned 2', 'Check indicates changes are required']],
  ] as const;
  for (const [check, level, messages] of cases) {
    const task = await prepare('healthcheck.task', { check }, dir);
    const checked = await task.check(runContext(dir));
    const health = await task.health?.(runContext(dir), checked);
    t.deepEqual(health, { level, messages: [...messages] }, check);
  }
});

test('an interpreter that cannot start is a resource error', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('task', { interpreter: '/no/such/shell', check: 'true', apply: 'true' }, dir);
  const status = await task.check(runContext(dir));
  t.is(status.error, 'fork/exec /no/such/shell: no such file or directory');
});

test('task.query reports output and never has changes', async (t) => {
  const dir = tempDir(t);
  const query = await prepare('task.query', { query: 'echo answer; exit 1' }, dir);
  const status = await query.check(runContext(dir));
  t.is(status.level, StatusLevel.NoChange);
  t.deepEqual(status.messages, ['check (returned: 1)\n\tanswer\n\n\t']);
  t.like(query.exported(), { query: 'echo answer; exit 1', status: { stdout: 'answer\n', exitstatus: 1 } });
});

test('scripts that write to /dev/stderr get real pipes and keep their exit status', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('task', { check: 'echo hi | tee /dev/stderr; echo out > /dev/stdout; exit 5', apply: 'true' }, dir);
  await task.check(runContext(dir));
  t.like(task.exported(), { status: { exitstatus: 5, stdout: 'hi\nout\n', stderr: 'hi\n' } });
});
