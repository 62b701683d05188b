/**
 * How long one job has held its thread without yielding. The engine's synchronous loops poll the job's
 * `interrupted` (run.worker.ts), which asks here. A stretch ends at the first microtask checkpoint after
 * it began, which comes only once the job's synchronous code returns or awaits; so the measure is the
 * job's own, not the event loop's turn (a turn that runs many short callbacks of many jobs is long,
 * although no job in it held the thread), and not the time other jobs ran before it in the same turn.
 */

let owner: object | undefined;
let startedAt = 0;

function close(): void {
  owner = undefined;
}

/** Milliseconds the job `job` has run since it last yielded; call it from inside the job's loops. */
export function stretchMs(job: object): number {
  const now = performance.now();
  if (owner !== job) {
    owner = job;
    startedAt = now;
    queueMicrotask(close);
  }
  return now - startedAt;
}

/** Ends the current stretch: its job has given the thread back. */
export function endStretch(): void {
  owner = undefined;
}
