/**
 * NodeDeadlines: calls that start close together share one deadline, yet each call still gets at
 * least its limit, a call that ends in time is not failed by a deadline that fires later, and the
 * run's abort reaches every call still running.
 */
import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { NodeDeadlines } from '../../../src/graph/node-time.js';
import type { RunContext } from '../../../src/resources/types.js';
import { ConvergeError } from '../../../src/errors.js';

function runContext(signal: AbortSignal): RunContext {
  return { signal } as RunContext;
}

/** A task that waits for its signal (or `ms`) and says which came first. */
function waiter(ms: number) {
  return async (ctx: RunContext): Promise<string> => {
    try {
      await sleep(ms, undefined, { signal: ctx.signal });
      return 'done';
    } catch {
      return 'aborted';
    }
  };
}

test('calls started in one window share a deadline; each gets at least its limit', async (t) => {
  const deadlines = new NodeDeadlines(runContext(new AbortController().signal), 200);
  const started = performance.now();
  const first = deadlines.run(() => new Promise<never>(() => undefined));
  await sleep(5);
  const second = deadlines.run(() => new Promise<never>(() => undefined));
  const [a, b] = await Promise.allSettled([first, second]);
  const elapsed = performance.now() - started;
  t.is(a.status, 'rejected');
  t.is(b.status, 'rejected');
  t.is(((a as PromiseRejectedResult).reason as ConvergeError).code, 'CNV_ERR_LIMIT_NODE_TIME');
  t.true(elapsed >= 200, `failed after ${elapsed.toFixed(0)} ms, before the 200 ms limit`);
  deadlines.close();
});

test('a call that finishes in time keeps its result; a later call gets a fresh deadline', async (t) => {
  const deadlines = new NodeDeadlines(runContext(new AbortController().signal), 150);
  t.is(await deadlines.run(waiter(20)), 'done');
  await sleep(120);
  // Started after the first window closed: its own 150 ms, not what was left of the first.
  t.is(await deadlines.run(waiter(100)), 'done');
  deadlines.close();
});

test('the run abort reaches every call still running, in old and new windows', async (t) => {
  const run = new AbortController();
  const deadlines = new NodeDeadlines(runContext(run.signal), 1_000);
  // A 1 s limit has a 10 ms window: the two calls fall in different ones.
  const early = deadlines.run(waiter(30_000));
  await sleep(20);
  const late = deadlines.run(waiter(30_000));
  run.abort(new Error('cancelled'));
  t.deepEqual(await Promise.all([early, late]), ['aborted', 'aborted']);
  deadlines.close();
});

test('no limit: the task runs under the run signal itself', async (t) => {
  const run = new AbortController();
  const deadlines = new NodeDeadlines(runContext(run.signal), 0);
  t.is(await deadlines.run(async (ctx) => ctx.signal === run.signal), true);
});
