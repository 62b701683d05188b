import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JobOutcome, JobSpec, WorkerMessage } from '../../src/protocol.js';
import { WorkerPool } from '../../src/workers/pool.js';

const FIXTURE = path.join(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'), 'fixtures/workers/runaway.worker.js');

// A plan that holds in its check until `release` exists: a job that waits, as most jobs do.
const HOLD = `task "wait" {
  check = "while [ ! -f release ]; do sleep 0.05; done; exit 0"
  apply = "true"
}
`;
const QUICK = `file.content "a" {
  destination = "a.txt"
  content     = "A"
}
`;

function moduleDir(t: { teardown(fn: () => void): void }): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'converge-cancel-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'hold.hcl'), HOLD);
  writeFileSync(path.join(dir, 'quick.hcl'), QUICK);
  return dir;
}

function job(dir: string, location: string): JobSpec {
  return { kind: 'plan', location, params: {}, cwd: dir, parallelism: 4 };
}

/** Starts a job and resolves `started` at its first message (edges). */
function start(pool: WorkerPool, spec: JobSpec, signal?: AbortSignal): { started: Promise<void>; outcome: Promise<JobOutcome> } {
  let seen!: () => void;
  const started = new Promise<void>((resolve) => {
    seen = resolve;
  });
  const onMessage = (message: WorkerMessage): void => {
    if (message.type === 'edges') seen();
  };
  return { started, outcome: pool.run(spec, onMessage, signal) };
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

test('backstop - a cancelled job stuck in a synchronous loop gets its thread replaced; only the jobs on that thread fail; others are served meanwhile', async (t) => {
  const pool = new WorkerPool({ threads: 1, workerFile: FIXTURE, cancelGraceMs: 200 });
  t.teardown(() => pool.close());
  const dir = moduleDir(t);
  const neighbour = start(pool, job(dir, 'hold.hcl'));
  await neighbour.started;
  const cancel = new AbortController();
  const runaway = start(pool, job(dir, 'spin-forever.hcl'), cancel.signal);
  await runaway.started;
  // Long enough for the heartbeat to call the thread stuck; the next job then goes to a spare thread.
  await pause(800);
  const served = await pool.run(job(dir, 'quick.hcl'), () => undefined);
  t.true(served.ok, 'a plan submitted while the runaway holds its thread is served');
  cancel.abort();
  const [stopped, collateral] = await Promise.all([runaway.outcome, neighbour.outcome]);
  t.false(stopped.ok);
  t.is(stopped.ok ? '' : stopped.error.code, 'CNV_ERR_JOB_CANCELLED');
  t.regex(stopped.ok ? '' : stopped.error.message, /worker thread was replaced \(--cancel-grace\)/);
  t.is(collateral.ok ? '' : collateral.error.code, 'CNV_ERR_WORKER_DIED');
  t.regex(collateral.ok ? '' : collateral.error.message, /replaced because a cancelled job on it did not stop/);
  writeFileSync(path.join(dir, 'release'), '');
  t.true((await pool.run(job(dir, 'hold.hcl'), () => undefined)).ok, 'the pool goes on with a fresh thread');
});

test('cooperative - a loop that polls the shared cancel flag stops by itself; its thread and neighbours live on', async (t) => {
  const pool = new WorkerPool({ threads: 1, workerFile: FIXTURE, cancelGraceMs: 60_000 });
  t.teardown(() => pool.close());
  const dir = moduleDir(t);
  const neighbour = start(pool, job(dir, 'hold.hcl'));
  await neighbour.started;
  const cancel = new AbortController();
  const looping = start(pool, job(dir, 'spin-cooperative.hcl'), cancel.signal);
  await looping.started;
  cancel.abort();
  const stopped = await looping.outcome;
  t.is(stopped.ok ? '' : stopped.error.message, 'stopped when it saw the cancel flag');
  writeFileSync(path.join(dir, 'release'), '');
  t.true((await neighbour.outcome).ok, 'the job beside it on the same thread finishes normally');
});

test('memory limit - a job that allocates without end fails with a clear error naming --worker-memory; the process and the pool live on', async (t) => {
  const pool = new WorkerPool({ threads: 1, workerFile: FIXTURE, memoryMb: 48 });
  t.teardown(() => pool.close());
  const dir = moduleDir(t);
  const outcome = await pool.run(job(dir, 'allocate.hcl'), () => undefined);
  t.is(outcome.ok ? '' : outcome.error.code, 'CNV_ERR_WORKER_DIED');
  t.regex(outcome.ok ? '' : outcome.error.message, /ran out of memory \(limit 48 MiB per thread, raise it with --worker-memory\)/);
  t.true((await pool.run(job(dir, 'quick.hcl'), () => undefined)).ok);
});
