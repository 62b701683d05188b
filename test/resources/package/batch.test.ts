import test from 'ava';
import { CoalescingQueue, type Settled } from '../../../src/resources/package/batch.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A queue whose runner records each batch and can be held until released. */
function recordingQueue(options: { maxBatch?: number; hold?: Promise<void>; fail?: (item: string) => boolean } = {}) {
  const batches: string[][] = [];
  let running = 0;
  let maxRunning = 0;
  const started: (() => void)[] = [];
  const queue = new CoalescingQueue<string, string>({
    windowMs: 5,
    ...(options.maxBatch !== undefined ? { maxBatch: options.maxBatch } : {}),
    run: async (key, items): Promise<Settled<string>[]> => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      batches.push([key, ...items]);
      started.shift()?.();
      if (options.hold && batches.length === 1) await options.hold;
      running--;
      return items.map((item) =>
        options.fail?.(item) ? { ok: false, error: new Error(`${item} failed`) } : { ok: true, value: `${item} done` },
      );
    },
  });
  const nextStart = (): Promise<void> => new Promise((resolve) => started.push(resolve));
  return { queue, batches, nextStart, maxRunning: () => maxRunning };
}

test('requests of one key submitted together run as one batch, each getting its own outcome', async (t) => {
  const { queue, batches } = recordingQueue({ fail: (item) => item === 'b' });
  const results = await Promise.allSettled([queue.submit('k', 'a'), queue.submit('k', 'b'), queue.submit('k', 'c')]);
  t.deepEqual(batches, [['k', 'a', 'b', 'c']]);
  t.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)), ['a done', 'b failed', 'c done']);
  t.is(queue.batchesRun, 1);
});

test('different keys are different batches, and batches never overlap', async (t) => {
  const { queue, batches, maxRunning } = recordingQueue();
  await Promise.all([queue.submit('x', '1'), queue.submit('y', '2'), queue.submit('x', '3')]);
  t.deepEqual(batches.map((b) => b.join(' ')).sort(), ['x 1 3', 'y 2']);
  t.is(maxRunning(), 1);
});

test('requests arriving while a batch runs gather into the next batch', async (t) => {
  const gate = deferred();
  const { queue, batches, nextStart } = recordingQueue({ hold: gate.promise });
  const firstStarted = nextStart();
  const first = queue.submit('k', 'first');
  await firstStarted;
  const late = [queue.submit('k', 'late1'), queue.submit('k', 'late2'), queue.submit('k', 'late3')];
  gate.resolve();
  await Promise.all([first, ...late]);
  t.deepEqual(batches, [['k', 'first'], ['k', 'late1', 'late2', 'late3']]);
});

test('a request withdrawn by its signal before its batch starts is not run', async (t) => {
  const { queue, batches } = recordingQueue();
  const controller = new AbortController();
  const withdrawn = queue.submit('k', 'gone', controller.signal);
  const kept = queue.submit('k', 'kept');
  controller.abort(new Error('cancelled'));
  await t.throwsAsync(withdrawn, { message: 'cancelled' });
  t.is(await kept, 'kept done');
  t.deepEqual(batches, [['k', 'kept']]);
  await t.throwsAsync(queue.submit('k', 'late', controller.signal), { message: 'cancelled' });
});

test('maxBatch closes a batch early', async (t) => {
  const { queue, batches } = recordingQueue({ maxBatch: 2 });
  await Promise.all(['a', 'b', 'c', 'd', 'e'].map((item) => queue.submit('k', item)));
  t.deepEqual(batches, [['k', 'a', 'b'], ['k', 'c', 'd'], ['k', 'e']]);
});

test('a runner that throws fails every request of its batch, and the queue goes on', async (t) => {
  let calls = 0;
  const queue = new CoalescingQueue<string, string>({
    windowMs: 1,
    run: async (_key, items) => {
      calls++;
      if (calls === 1) throw new Error('transaction exploded');
      return items.map((item) => ({ ok: true, value: item }));
    },
  });
  const failed = await Promise.allSettled([queue.submit('k', 'a'), queue.submit('k', 'b')]);
  t.deepEqual(failed.map((r) => r.status), ['rejected', 'rejected']);
  t.is(await queue.submit('k', 'c'), 'c');
});
