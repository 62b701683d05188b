/**
 * How long one job has held its thread. The engine's loops poll the job's `interrupted`
 * (run.worker.ts), which asks here. A stretch is one job polling with no other job polling between
 * and no turn of the event loop: a synchronous loop, or a chain of microtasks (an `await` of work that
 * is already done does not let timers, I/O or other jobs' messages in either). It ends when the event
 * loop turns or another job polls, so a turn that runs many short callbacks of many jobs is not blamed
 * on one of them, and a job is not blamed for the time other jobs ran before it in the same turn.
 */

let owner: object | undefined;
let startedAt = 0;

// A turn of the event loop ends every stretch.
setInterval(() => {
  owner = undefined;
}, 20).unref();

/** Milliseconds the job `job` has held the thread; call it from inside the job's loops. */
export function stretchMs(job: object): number {
  const now = performance.now();
  if (owner !== job) {
    owner = job;
    startedAt = now;
  }
  return now - startedAt;
}

/** Ends the current stretch: its job has given the thread back. */
export function endStretch(): void {
  owner = undefined;
}
