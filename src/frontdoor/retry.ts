/**
 * Our client's answer to a busy server: a job refused with CNV_ERR_QUEUE_FULL is sent again after a
 * jittered, growing pause, for a bounded time, and each retry is logged so the operator knows why the
 * command waits. Only that refusal is retried: it comes before the job starts, so nothing ran and no
 * message reached the caller. Full jitter spreads a fleet of refused clients out instead of having
 * them all come back at the same instant.
 */
import { DEFAULT_CLIENT_RETRY_BUDGET_MS } from '../defaults.js';
import type { JobOutcome } from '../protocol.js';

export interface RetryOptions {
  /** Aborting stops waiting; the last refusal is returned. */
  readonly signal?: AbortSignal;
  /** Called before each pause, with what the operator should see. */
  readonly log: (message: string, fields: Record<string, unknown>) => void;
  /** Total time to keep retrying, in milliseconds. @default 60_000 */
  readonly budgetMs?: number;
  /** First pause's upper bound, in milliseconds; doubles each attempt. @default 250 */
  readonly baseMs?: number;
  /** Largest pause, in milliseconds. @default 5_000 */
  readonly maxPauseMs?: number;
  /** Uniform in [0, 1). @default Math.random */
  readonly random?: () => number;
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** True for the outcome of a job the server refused because it was full. */
export function isBusyRefusal(outcome: JobOutcome): boolean {
  return !outcome.ok && outcome.error.code === 'CNV_ERR_QUEUE_FULL';
}

/** Runs `attempt` until it is not a busy refusal, the budget is spent, or `signal` aborts. */
export async function retryWhileBusy(attempt: () => Promise<JobOutcome>, options: RetryOptions): Promise<JobOutcome> {
  const budgetMs = options.budgetMs ?? DEFAULT_CLIENT_RETRY_BUDGET_MS;
  const baseMs = options.baseMs ?? 250;
  const maxPauseMs = options.maxPauseMs ?? 5_000;
  const random = options.random ?? Math.random;
  const started = Date.now();
  const aborted = (): boolean => options.signal?.aborted === true;
  for (let retries = 0; ; retries += 1) {
    const outcome = await attempt();
    if (!isBusyRefusal(outcome) || aborted()) return outcome;
    const left = budgetMs - (Date.now() - started);
    const ceiling = Math.min(maxPauseMs, baseMs * 2 ** Math.min(retries, 30));
    const delayMs = Math.min(left, Math.max(1, Math.round(random() * ceiling)));
    if (left <= 0) {
      options.log(`server still busy after retrying for ${(budgetMs / 1000).toFixed(1)} s; giving up`, { retries });
      return outcome;
    }
    const reason = outcome.ok ? '' : outcome.error.message;
    options.log(`server is busy; retrying in ${delayMs} ms`, { attempt: retries + 1, reason });
    await pause(delayMs, options.signal);
    if (aborted()) return outcome;
  }
}
