/**
 * Wall-time limits: a check past --node-timeout fails its node (the walk goes on), a run past
 * --run-timeout stops with CNV_ERR_LIMIT_RUN_TIME, and the pool's cancel flag stops a synchronous render.
 */
import test from 'ava';
import { runJob } from '../../../src/graph/engine.js';
import { ConvergeError } from '../../../src/errors.js';
import type { NodeEvent } from '../../../src/protocol.js';
import { tempDir } from '../engine/helpers.js';

const SLOW = 'task "slow" {\n  check = "sleep 30"\n  apply = "true"\n}\ntask "quick" {\n  check = "true"\n  apply = "true"\n}\n';

test('nodeTimeoutMs - a check past the limit fails its node with CNV_ERR_LIMIT_NODE_TIME text; other nodes run', async (t) => {
  const cwd = tempDir(t, { 'main.hcl': SLOW });
  const events: NodeEvent[] = [];
  await runJob(
    { kind: 'plan', location: 'main.hcl', params: {}, cwd, parallelism: 4, limits: { nodeTimeoutMs: 300 } },
    { edges: () => undefined, event: (e) => events.push(e) },
    new AbortController().signal,
  );
  const slow = events.find((e) => e.id === 'root/task.slow' && e.run === 'FINISHED');
  t.regex(slow?.details?.error ?? '', /time per node check or apply limit of 300ms reached \(raise it with converge server --node-timeout\)/);
  t.is(events.find((e) => e.id === 'root/task.quick' && e.run === 'FINISHED')?.details?.error, '');
});

test('runTimeoutMs - a run past the limit rejects with CNV_ERR_LIMIT_RUN_TIME', async (t) => {
  const cwd = tempDir(t, { 'main.hcl': SLOW });
  const error = await t.throwsAsync(
    runJob(
      { kind: 'plan', location: 'main.hcl', params: {}, cwd, parallelism: 4, limits: { runTimeoutMs: 300 } },
      { edges: () => undefined, event: () => undefined },
      new AbortController().signal,
    ),
  );
  t.true(error instanceof ConvergeError);
  t.is((error as ConvergeError).code, 'CNV_ERR_LIMIT_RUN_TIME');
});

test('interrupted - the cancel flag stops a render of ten billion steps from inside the loop', async (t) => {
  const content = 'file.content "r" {\n  destination = "r.txt"\n  content = "{{range 100000}}{{range 100000}}{{end}}{{end}}"\n}\n';
  const cwd = tempDir(t, { 'main.hcl': content });
  const flagAt = performance.now() + 200;
  const error = await t.throwsAsync(
    runJob(
      { kind: 'plan', location: 'main.hcl', params: {}, cwd, parallelism: 4, limits: { templateSteps: 1e15 } },
      { edges: () => undefined, event: () => undefined },
      new AbortController().signal,
      () => performance.now() > flagAt,
    ),
  );
  t.is((error as ConvergeError).code, 'CNV_ERR_JOB_CANCELLED');
  t.log(`stopped ${(performance.now() - flagAt).toFixed(0)} ms after the flag was set`);
});
