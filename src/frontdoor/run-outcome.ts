/** How a finished run ended, as the run store records it and the metrics count it. */
import type { JobOutcome } from '../protocol.js';
import type { RunOutcome } from '../store/types.js';

/** The stored outcome of a finished run. */
export function outcomeOf(outcome: JobOutcome | undefined, failedNodes: number): RunOutcome {
  if (outcome === undefined) return 'interrupted';
  if (outcome.ok) return failedNodes > 0 ? 'failed' : 'ok';
  if (outcome.error.code === 'CNV_ERR_JOB_CANCELLED') return 'cancelled';
  if (outcome.error.code === 'CNV_ERR_JOB_INTERRUPTED') return 'interrupted';
  return 'failed';
}
