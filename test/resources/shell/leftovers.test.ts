/**
 * What a script leaves behind: background processes are killed when the script ends (or is stopped)
 * and reported, and a process that left the group with setsid cannot hold the node open.
 */
import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { runJob } from '../../../src/graph/index.js';
import { ConvergeError } from '../../../src/errors.js';
import type { NodeEvent } from '../../../src/protocol.js';
import { StatusLevel } from '../../../src/resources/types.js';
import { appears, prepare, runContext, tempDir, processGone } from '../helpers.js';

/** The pid a script wrote to `name`, once the whole line is there. */
async function readPid(dir: string, name: string): Promise<number> {
  for (let i = 0; i < 250; i++) {
    let text = '';
    try {
      text = fs.readFileSync(path.join(dir, name), 'utf8');
    } catch {
      // not written yet
    }
    if (/^\d+\n$/.test(text)) return Number(text.trim());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no pid in ${name}`);
}

/** Shell: wait until the background process has written its pid. */
const AWAIT_BG = 'while [ ! -s bg.pid ]; do sleep 0.01; done';

/** Kills, at teardown, a process the test started that escaped the task's group on purpose. */
function killAtTeardown(t: ExecutionContext, pid: number): void {
  t.teardown(() => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  });
}

test('a `sleep 30 &` does not hold the check open; it is killed and reported as a warning', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('task', { check: 'sleep 30 & echo $! > bg.pid; echo done', apply: 'true' }, dir);
  const started = performance.now();
  const status = await task.check(runContext(dir));
  t.log(`check returned after ${(performance.now() - started).toFixed(0)} ms`);
  t.is(status.level, StatusLevel.NoChange);
  t.deepEqual(status.messages, ['check (returned: 0)\n\tdone\n\n\t']);
  t.is(status.warning, 'killed 1 process left running by the task (check)');
  t.true(await processGone(await readPid(dir, 'bg.pid')));
});

test('leftovers are counted and killed behind the /dev/stderr wrapper too, without counting the wrapper', async (t) => {
  const dir = tempDir(t);
  const check = 'sleep 30 & echo $! > a.pid; sleep 31 & echo $! > b.pid; echo out | tee /dev/stderr';
  const task = await prepare('task', { check, apply: 'true' }, dir);
  const status = await task.check(runContext(dir));
  t.deepEqual(status.messages, ['check (returned: 0)\n\tout\n\n\tout\n']);
  t.is(status.warning, 'killed 2 processes left running by the task (check)');
  t.true(await processGone(await readPid(dir, 'a.pid')));
  t.true(await processGone(await readPid(dir, 'b.pid')));
});

test('a script that leaves nothing behind gets no warning', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('task', { check: 'echo hi | cat; true', apply: 'true' }, dir);
  const status = await task.check(runContext(dir));
  t.is(status.warning, undefined);
});

test('a process that ignores SIGTERM is killed with SIGKILL after the grace', async (t) => {
  const dir = tempDir(t);
  // An ignored signal stays ignored across exec, so the inner sleep ignores SIGTERM as well.
  const check = `sh -c 'trap "" TERM; echo $$ > bg.pid; sleep 30; sleep 30' & ${AWAIT_BG}; exit 1`;
  const task = await prepare('task', { check, apply: 'true' }, dir);
  const status = await task.check(runContext(dir));
  t.is(status.level, StatusLevel.WillChange);
  t.regex(status.warning ?? '', /^killed [12] process(es)? left running by the task \(check\)$/);
  t.true(await processGone(await readPid(dir, 'bg.pid')));
});

test('a timeout reports every process it killed, the interpreter included', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('task', { check: 'sleep 30 & echo $! > bg.pid; sleep 31', apply: 'true', timeout: '300ms' }, dir);
  const status = await task.check(runContext(dir));
  t.is(status.error, 'execution timed out');
  t.is(status.warning, 'killed 3 processes of the task at its timeout (check)');
  t.true(await processGone(await readPid(dir, 'bg.pid')));
});

test('a setsid child escapes the group: it is not killed, and it cannot hold the node open', async (t) => {
  const dir = tempDir(t);
  const task = await prepare('task', { check: `setsid sh -c 'echo $$ > bg.pid; exec sleep 30' & ${AWAIT_BG}; echo done`, apply: 'true' }, dir);
  const started = performance.now();
  const status = await task.check(runContext(dir));
  t.log(`check returned after ${(performance.now() - started).toFixed(0)} ms`);
  const pid = await readPid(dir, 'bg.pid');
  killAtTeardown(t, pid);
  t.deepEqual(status.messages, ['check (returned: 0)\n\tdone\n\n\t']);
  t.regex(status.warning ?? '', /outside the task's process group \(one that called setsid\) kept its output open \(check\)/);
  t.false(await processGone(pid, 100), 'a daemonized process is out of reach, as documented');
});

test('a cancelled apply kills its whole group: the interpreter and its background processes', async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(
    path.join(dir, 'main.hcl'),
    'task "long" {\n  check = "test -f applied"\n  apply = "sleep 30 & echo $! > bg.pid; echo $$ > sh.pid; sleep 31; touch applied"\n}\n',
  );
  const controller = new AbortController();
  const events: NodeEvent[] = [];
  const running = runJob(
    { kind: 'apply', location: 'main.hcl', params: {}, cwd: dir, parallelism: 1 },
    { edges: () => undefined, event: (event) => events.push(event) },
    controller.signal,
  );
  await appears(dir, 'sh.pid');
  const cancelledAt = performance.now();
  controller.abort(new ConvergeError('CNV_ERR_JOB_CANCELLED', 'cancelled'));
  const error = await t.throwsAsync(running);
  t.log(`apply stopped ${(performance.now() - cancelledAt).toFixed(0)} ms after the cancel`);
  t.is((error as ConvergeError).code, 'CNV_ERR_JOB_CANCELLED');
  t.true(await processGone(await readPid(dir, 'sh.pid')));
  t.true(await processGone(await readPid(dir, 'bg.pid')));
  t.false(fs.existsSync(path.join(dir, 'applied')));
});
