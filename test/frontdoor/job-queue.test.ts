import test from 'ava';
import { JobQueue } from '../../src/frontdoor/job-queue.js';
import type { QueuedNotice } from '../../src/frontdoor/runs.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

test('JobQueue.submit() - refuses with CNV_ERR_QUEUE_FULL once the waiting room is full', async (t) => {
  const gate = deferred();
  const queue = new JobQueue({ maxRunning: 1, maxWaiting: 1 });
  const accepted = [
    queue.submit({ runId: 'a', kind: 'plan' }, () => gate.promise),
    queue.submit({ runId: 'b', kind: 'plan' }, () => gate.promise),
  ];
  await t.throwsAsync(queue.submit({ runId: 'c', kind: 'plan' }, () => gate.promise), { code: 'CNV_ERR_QUEUE_FULL' });
  gate.resolve();
  await Promise.all(accepted);
  await t.notThrowsAsync(queue.submit({ runId: 'd', kind: 'plan' }, async () => undefined));
});

test('JobQueue.submit() - applies run one at a time; the second is told what it waits behind', async (t) => {
  const queue = new JobQueue({ maxRunning: 4, maxWaiting: 4 });
  const gate = deferred();
  const order: string[] = [];
  const notices: QueuedNotice[] = [];
  const first = queue.submit({ runId: 'apply-1', kind: 'apply' }, async () => {
    order.push('start 1');
    await gate.promise;
    order.push('end 1');
  });
  const second = queue.submit({ runId: 'apply-2', kind: 'apply', onQueued: (n) => notices.push(n) }, async () => {
    order.push('start 2');
  });
  // Plans are not held up by the running apply.
  await queue.submit({ runId: 'plan-1', kind: 'plan' }, async () => {
    order.push('plan');
  });
  gate.resolve();
  await Promise.all([first, second]);
  t.deepEqual(order, ['start 1', 'plan', 'end 1', 'start 2']);
  t.is(notices.length, 1);
  t.like(notices[0], { kind: 'queued', runId: 'apply-2', behind: 'apply-1', position: 1 });
});

test('JobQueue.submit() - a waiting job whose signal aborts leaves the queue', async (t) => {
  const queue = new JobQueue({ maxRunning: 1, maxWaiting: 4 });
  const gate = deferred();
  const running = queue.submit({ runId: 'a', kind: 'apply' }, () => gate.promise);
  const controller = new AbortController();
  let ran = false;
  const waiting = queue.submit({ runId: 'b', kind: 'apply', signal: controller.signal }, async () => {
    ran = true;
  });
  controller.abort(new Error('client gone'));
  await t.throwsAsync(waiting);
  gate.resolve();
  await running;
  await queue.idle();
  t.false(ran);
  t.is(queue.waiting, 0);
});
