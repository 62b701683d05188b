/**
 * A job's claim cell and the pool's count of jobs sent but not yet taken up. A job sent to a thread
 * sits in that thread's message queue until the thread's event loop turns; a runaway loading on the
 * thread never lets it turn, and the jobs behind it cannot say that they are waiting. The count lets
 * the runaway see them (run.worker.ts gives its thread back when it is not zero). Exactly one side
 * moves a claim off OPEN, the thread taking the job or the pool withdrawing it, and that side lowers
 * the count, so it never drifts.
 */

export const CLAIM_OPEN = 0;
export const CLAIM_TAKEN = 1;
export const CLAIM_WITHDRAWN = 2;

/** A fresh claim cell, open. */
export function openClaim(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
}

/** The pool's count of jobs not yet taken up, one cell shared with every thread. */
export function createWaitingCount(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT));
}

/** Thread side: takes the job up; false when the pool withdrew it first. */
export function takeClaim(claim: Int32Array | undefined, waiting: Int32Array | undefined): boolean {
  if (claim === undefined) return true;
  if (Atomics.compareExchange(claim, 0, CLAIM_OPEN, CLAIM_TAKEN) !== CLAIM_OPEN) return false;
  if (waiting !== undefined) Atomics.sub(waiting, 0, 1);
  return true;
}

/** Pool side: withdraws a job no thread has taken up; false when a thread took it first. */
export function withdrawClaim(claim: Int32Array, waiting: Int32Array): boolean {
  if (Atomics.compareExchange(claim, 0, CLAIM_OPEN, CLAIM_WITHDRAWN) !== CLAIM_OPEN) return false;
  Atomics.sub(waiting, 0, 1);
  return true;
}

/** Jobs sent to some thread and not taken up yet. */
export function waitingJobs(waiting: Int32Array | undefined): number {
  return waiting === undefined ? 0 : Atomics.load(waiting, 0);
}
